"""Malformed input from an enrolled station or from anyone: a clear 4xx or a rejection, never a 5xx.

Each input is what a tampered station PC (signed with its real key) or an anonymous
client sends; every one of them answered 500 somewhere before (DESIGN §5 Trust, §9 "answer
bad input with a traceback"). The same inputs go to a SQLite hub and a PostgreSQL hub,
where column types and text rules differ (NUL, lengths).
"""
from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import zstandard

from station.ledger import display_case_no
from station.ledger.hlc import format_hlc
from station.receipts import new_token, token_hash
from sync.wire import dicts_to_columns

from .conftest import City, build_city, close_city, fresh_pg_database
from .forge import forged_event, statuses

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def full_width(case_no: str) -> str:
    """The case number with full-width digits (as an IME types them) and its ASCII check character."""
    return case_no[:24].translate(FULL_WIDTH) + case_no[24]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def city(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    db_url = None if request.param == "sqlite" else fresh_pg_database(request.getfixturevalue("pg_url"))
    built = build_city(tmp_path_factory.mktemp(f"inputs-{request.param}"), db_url)
    try:
        yield built
    finally:
        close_city(built)


def _now_hlc() -> str:
    return format_hlc(int(time.time() * 1000), 0)


def _received(city: City, case_no: str, token: str) -> dict[str, Any]:
    """A well-formed received of the sender (和平村) for ``case_no``, copied from a real intake."""
    template = city.village.first_event(city.village.file(forward=False)).data
    data = json.loads(json.dumps(template)) | {"token_hash": token_hash(token)}
    return forged_event(city.neighbour.code, case_no, "received", hlc=_now_hlc(), data=data)


def _raw_push(city: City, text: str) -> httpx.Response:
    """Push JSON text as given (ASCII escapes keep lone surrogates; big numbers stay digits):
    gzip'd for the first wire version, a zstd frame for the second (which reads lone surrogates)."""
    body = text.encode("ascii")
    if text.startswith('{"w": 2'):
        return city.neighbour.signer.push_body(zstandard.ZstdCompressor().compress(body))
    return city.neighbour.signer.push_body(gzip.compress(body, mtime=0))


def _batch_text(event: dict[str, Any]) -> str:
    return json.dumps({"w": 1, "events": dicts_to_columns([event])}, ensure_ascii=True)


def _with(event: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    target = event
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return event


def _push_case(city: City, name: str, wire: int = 1) -> tuple[httpx.Response, str, str]:
    """Send the hostile input ``name`` in a push of wire version ``wire`` (1: gzip'd; 2: a zstd frame, as
    stations send, read by the one-pass decoder first); returns the answer, the case number and its token."""
    case_no, token = city.spare_case_no(city.neighbour.code), new_token()
    event = _received(city, case_no, token)
    if name == "lone-surrogate-in-name":
        text = _batch_text(_with(event, ("data", "applicant", "name"), "曾\ud800"))
    elif name == "lone-surrogate-as-item-in-a-zstd-push":
        text = _batch_text(_with(event, ("data", "item"), "\ud800")).replace('{"w": 1', '{"w": 2', 1)
    elif name == "integer-of-5000-digits":
        text = _batch_text(_with(event, ("v",), -424242)).replace("-424242", "9" * 5000)
    elif name == "item-as-a-list":
        text = _batch_text(_with(event, ("data", "item"), ["420115GF0004"]))
    elif name == "materials-as-a-string":
        text = _batch_text(_with(event, ("data", "materials"), "居民身份证"))
    elif name == "full-width-digits-in-case-number":
        text = _batch_text(_with(event, ("case",), full_width(case_no)))
    elif name == "hlc-over-32-characters":
        text = _batch_text(_with(event, ("hlc",), event["hlc"] + "0" * 30))
    elif name == "nul-in-event-id":
        text = _batch_text(_with(event, ("id",), event["id"][:10] + "\x00" + event["id"][11:]))
    elif name == "case-number-with-separators":
        text = _batch_text(_with(event, ("case",), display_case_no(case_no)))
    elif name == "data-nested-100000-deep":
        text = _batch_text(_with(event, ("data", "fields", "village_group"), "@@DEEP@@"))
        text = text.replace('"@@DEEP@@"', "[" * 100_000 + "]" * 100_000)
    else:
        raise AssertionError(name)
    return _raw_push(city, text.replace('{"w": 1', f'{{"w": {wire}', 1)), case_no, token


PUSHED = ["lone-surrogate-in-name", "lone-surrogate-as-item-in-a-zstd-push",
          "integer-of-5000-digits", "item-as-a-list", "materials-as-a-string",
          "full-width-digits-in-case-number", "hlc-over-32-characters", "nul-in-event-id",
          "data-nested-100000-deep"]


@pytest.mark.parametrize("wire", [1, 2])
@pytest.mark.parametrize("name", PUSHED)
def test_9_a_malformed_event_is_refused_not_a_500(hub_up: City, name: str, wire: int) -> None:
    answer, case_no, token = _push_case(hub_up, name, wire)

    assert answer.status_code < 500, f"{name}: {answer.status_code} {answer.text[:300]}"
    assert answer.status_code in (400, 413, 422) or set(statuses(answer)) == {"rejected"}, answer.text[:300]
    assert hub_up.get(f"/api/v1/track/{case_no}/{token}").status_code == 404
    assert hub_up.get("/healthz").status_code == 200


@pytest.mark.parametrize("wire", [1, 2])
def test_9_the_same_event_twice_in_one_push_is_stored_once_not_a_500(hub_up: City, wire: int) -> None:
    case_no, token = hub_up.spare_case_no(hub_up.neighbour.code), new_token()
    event = _received(hub_up, case_no, token)
    text = json.dumps({"w": wire, "events": dicts_to_columns([event, event])}, ensure_ascii=True)

    answer = _raw_push(hub_up, text)

    assert answer.status_code == 200, answer.text[:300]
    assert statuses(answer) == ["accepted", "duplicate"]
    assert hub_up.get(f"/api/v1/track/{case_no}/{token}").status_code == 200


def test_9_a_case_number_with_separators_is_refused_or_stored_under_its_own_number(hub_up: City) -> None:
    answer, case_no, token = _push_case(hub_up, "case-number-with-separators")

    assert answer.status_code < 500, f"{answer.status_code} {answer.text[:300]}"
    if answer.status_code == 200 and statuses(answer) == ["accepted"]:
        assert hub_up.get(f"/api/v1/track/{case_no}/{token}").status_code == 200
    else:
        assert answer.status_code in (400, 422) or statuses(answer) == ["rejected"]


@pytest.mark.parametrize("route", ["/T", "/api/v1/track"])
def test_9_full_width_digits_on_the_public_pages_answer_404(hub_up: City, route: str) -> None:
    village = hub_up.village
    case_no = village.file(forward=False)
    village.sync()
    token = village.service.store.token(case_no)
    assert hub_up.get(f"{route}/{case_no}/{token}").status_code == 200

    answer = hub_up.get(f"{route}/{full_width(case_no)}/{token}")

    # full-width digits a citizen typed are read as the digits they are (NFKC), or refused: never a 500
    assert answer.status_code in (200, 404), f"{answer.status_code} {answer.text[:300]}"
    if answer.status_code == 200 and route.startswith("/api"):
        assert answer.json()["case_no"].replace("-", "") == case_no


@pytest.mark.parametrize("cookie", ["cityhall_staff=登录.0000", "cityhall_staff=é", "cityhall_staff=\udcff"])
def test_9_a_non_ascii_staff_cookie_is_a_login_not_a_500(hub_up: City, cookie: str) -> None:
    raw = cookie.encode("utf-8", "surrogateescape")
    for path in ("/staff/", "/staff/api/digest", "/staff/login"):
        answer = httpx.get(hub_up.url + path, headers={"cookie": raw}, follow_redirects=False, timeout=30)
        assert answer.status_code in (200, 303, 401), f"{path}: {answer.status_code} {answer.text[:200]}"
