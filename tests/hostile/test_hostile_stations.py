"""Enrolled stations in the wrong hands against a real city hall process (DESIGN §5 Trust, §9).

One test per attack class of the hub's trust problem. Each sends what a tampered station
PC would send, signed with that station's own enrolled key, and states what must hold
afterwards for the honest stations and the citizens. The hub is one ``cityhall serve``
process on loopback for the whole module; every test works on cases of its own.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from forms import mask_name
from station.ledger import Event, case_date, make_case_no
from station.ledger.hlc import format_hlc
from station.receipts import new_token, token_hash
from sync.recipients import opening_keys
from sync.bundle import read_bundle, write_bundle
from sync.wire import dicts_to_columns
from tests.attachments.scans import tiny_pdf
from tests.support.demo import CITY, COUNTY, TOWNSHIP, VILLAGE

from .conftest import (STAFF_PASSWORD, City, Site, add_staff, decided_case, plant_stored_event, staff_form,
                       staff_login)
from .forge import HubWatch, forged_event, gzip_bomb, hlc_after, hlc_before, json_bytes, reasons, statuses, watch_hub

REAL_APPLICANT = "曾𠮷"  # the first applicant file_case uses
IMPOSTOR = {"id_number": "420115193901011236", "name": "欧阳娜娜", "phone": "13800000000"}
VILLAGE_NAME = "光星村便民服务站"


def _now_hlc() -> str:
    return format_hlc(int(time.time() * 1000), 0)


def _impostor_data(real: dict, token: str) -> dict:
    """The honest intake's ``data`` with another applicant and a token the sender knows."""
    return json.loads(json.dumps(real)) | {"applicant": dict(IMPOSTOR), "token_hash": token_hash(token)}


def _template(city: City) -> dict:
    """A real ``received`` data of the honest village, to forge from."""
    case_no = city.village.file(forward=False)
    return city.village.first_event(case_no).data


def _track(city: City, site: Site, case_no: str) -> dict:
    answer = city.get(site.tracking_path(case_no))
    assert answer.status_code == 200, f"the citizen's page of {case_no} answered {answer.status_code}"
    return answer.json()


# -- 1. case takeover --------------------------------------------------------------------

def test_1a_another_township_cannot_take_over_a_village_case(hub_up: City) -> None:
    city, village, rival = hub_up, hub_up.village, hub_up.rival_township
    case_no = village.file(forward=False)
    assert village.sync().rejected == 0
    real = village.first_event(case_no)
    rival_token = new_token()
    takeover = forged_event(rival.code, case_no, "received", hlc=hlc_before(real.hlc), role="approver",
                            actor="P01", data=_impostor_data(real.data, rival_token))

    answer = rival.signer.push([takeover])
    assert statuses(answer) == ["rejected"], "a received for another station's case number must be rejected"
    assert reasons(answer)[0]

    pulled, _ = rival.signer.pull_everything()
    assert [e for e in pulled if e["case"] == case_no] == [], "the sender must not see the village's case"
    assert real.data["applicant"]["id_number"] not in json.dumps(pulled, ensure_ascii=False)
    assert city.get(f"/api/v1/track/{case_no}/{rival_token}").status_code == 404
    page = _track(city, village, case_no)
    assert page["applicant"] == mask_name(REAL_APPLICANT)
    assert page["timeline"][0]["station"] == VILLAGE_NAME

    village.service.act(village.operator, case_no, "forwarded")
    report = village.sync()
    assert (report.pushed, report.rejected) == (1, 0), "the village still forwards its own case"
    city.township.sync()
    assert city.township.service.case(case_no).status == "submitted"


def test_1b_a_village_next_case_number_cannot_be_claimed_in_advance(hub_up: City) -> None:
    city, village, rival = hub_up, hub_up.village, hub_up.rival_township
    latest = village.file(forward=False)
    village.sync()
    predicted = make_case_no(VILLAGE, case_date(latest), int(latest[20:24]) + 1)
    claim = forged_event(rival.code, predicted, "received", hlc=hlc_before(_now_hlc()), role="approver",
                         actor="P01", data=_impostor_data(village.first_event(latest).data, new_token()))

    assert statuses(rival.signer.push([claim])) == ["rejected"]

    case_no = village.file(forward=False)
    assert case_no == predicted, "the test predicted the village's next case number"
    report = village.sync()
    assert (report.pushed, report.rejected) == (1, 0)
    page = _track(city, village, case_no)
    assert page["applicant"] == mask_name(REAL_APPLICANT)
    html = city.get(village.tracking_path(case_no).replace("/api/v1/track/", "/T/"))
    assert html.status_code == 200 and "曾*" in html.text


# -- 2. self-approval --------------------------------------------------------------------

@pytest.mark.parametrize("lie", [{"level": "village"}, {"level": "village", "code": "420115XX9999"}],
                         ids=["item-level-village", "unknown-item-code"])
def test_2_a_village_cannot_approve_its_own_case(hub_up: City, lie: dict) -> None:
    city, village = hub_up, hub_up.neighbour
    data = json.loads(json.dumps(_template(city)))
    data["item"] |= lie
    token = new_token()
    data["token_hash"] = token_hash(token)
    case_no = city.spare_case_no(village.code)
    received = forged_event(village.code, case_no, "received", hlc=_now_hlc(), data=data)
    approved = forged_event(village.code, case_no, "approved", hlc=hlc_after(received["hlc"]), role="approver",
                            actor="P01")

    received_status, approved_status = statuses(village.signer.push([received, approved]))

    assert approved_status in ("rejected", "parked"), "a village may not approve (the hub's item decides the level)"
    if "code" in lie:
        assert received_status == "rejected", "an item the hub has not published is no case"
    page = city.get(f"/api/v1/track/{case_no}/{token}")
    assert page.status_code == 404 or page.json()["status"] == "received", page.text[:300]


# -- 3. events made to disappear ---------------------------------------------------------

@pytest.mark.parametrize("route", ["push", "bundle"])
def test_3_another_station_cannot_make_a_village_event_a_duplicate(hub_up: City, route: str) -> None:
    city, village, rival = hub_up, hub_up.village, hub_up.rival_township
    case_no = village.file(forward=True)
    bundle_file = city.folder / f"{case_no}.bundle"
    exported = village.cli("bundle", "export", str(bundle_file), "--json")
    assert exported.returncode == 0, exported.stderr
    seen = read_bundle(bundle_file.read_bytes(), keys=opening_keys(city.township.service)).events
    assert {e.case for e in seen} >= {case_no}
    squatters = [forged_event(rival.code, city.spare_case_no(rival.code), "received", hlc=_now_hlc(),
                              role="approver", actor="P01", event_id=e.id, data=e.data if e.kind == "received" else
                              village.first_event(case_no).data) for e in seen]
    if route == "push":
        rival.signer.push(squatters)  # whatever the hub says to the squatter, the village's events are its own
    else:  # the squatter's own signed bundle, relayed as a USB bundle is
        bundle = write_bundle(rival.service.signing_key(), rival.code, [Event.from_dict(e) for e in squatters],
                              time.strftime("%Y-%m-%dT%H:%M:%S+08:00"))
        assert rival.signer.send("POST", "/api/v1/sync/bundle", bundle).status_code < 500

    report = village.sync()
    assert report.rejected == 0 and report.duplicates == 0, report
    assert _track(city, village, case_no)["status"] == "submitted", "the village's events must be stored"
    city.township.sync()
    assert city.township.service.case(case_no).status == "submitted"
    verified = city.cityhall("verify", "--station", VILLAGE, "--json")
    chain = json.loads(verified.stdout)["stations"]
    assert [c["status"] for c in chain] == ["intact"], chain


def test_3b_a_stick_cannot_make_a_village_event_a_duplicate_at_the_township(hub_up: City) -> None:
    city, village, township, rival = hub_up, hub_up.village, hub_up.township, hub_up.rival_township
    case_no = village.file(forward=False)
    assert village.sync().rejected == 0
    township.sync()
    village.service.act(village.operator, case_no, "forwarded")
    exported = city.folder / f"{case_no}.forward.bundle"
    assert village.cli("bundle", "export", str(exported), "--json").returncode == 0
    forward = next(e for e in read_bundle(exported.read_bytes(), keys=opening_keys(township.service)).events
                   if e.kind == "forwarded")
    squatter = forged_event(rival.code, case_no, "noted", hlc=_now_hlc(), role="approver", actor="P01",
                            event_id=forward.id, data={"note": "已核实"})
    stick = city.folder / f"{case_no}.rival.bundle"
    stick.write_bytes(write_bundle(rival.service.signing_key(), rival.code, [Event.from_dict(squatter)],
                                   time.strftime("%Y-%m-%dT%H:%M:%S+08:00")))
    township.cli("bundle", "import", str(stick), "--json")  # refused or kept: the village's event is its own

    assert village.sync().rejected == 0
    township.sync()
    assert township.service.case(case_no).status == "submitted", "the village's forwarded reached the township"


# -- 4. one poisoned event breaks others -------------------------------------------------

def _refused(answer: httpx.Response) -> bool:
    """A clear refusal: the whole body with a 4xx, or every event answered ``rejected``."""
    if 400 <= answer.status_code < 500:
        return True
    return answer.status_code == 200 and set(statuses(answer)) == {"rejected"}


POISONS = {
    "at-garbage": ({"at": "garbage"}, {}),
    "promise-days-text": ({}, {"promise_days": "abc"}),
    "promise-days-negative": ({}, {"promise_days": -5}),
}


def _poisoned(city: City, poison: str) -> tuple[dict, str]:
    """A received of 和平村 for a case number of its own, carrying one poison; and its token."""
    envelope, item = POISONS[poison]
    data = json.loads(json.dumps(_template(city)))
    data["item"] |= item
    data["token_hash"] = token_hash(token := new_token())
    event = forged_event(city.neighbour.code, city.spare_case_no(city.neighbour.code), "received",
                         hlc=_now_hlc(), data=data) | envelope
    return event, token


@pytest.mark.parametrize("poison", list(POISONS))
def test_4_a_poisoned_event_is_refused(hub_up: City, poison: str) -> None:
    event, token = _poisoned(hub_up, poison)

    answer = hub_up.neighbour.signer.push([event])

    assert answer.status_code < 500 and _refused(answer), answer.text[:300]
    assert hub_up.get(f"/api/v1/track/{event['case']}/{token}").status_code == 404


def test_4_poisoned_events_break_no_page_and_no_pull(hub_up: City) -> None:
    city, sender = hub_up, hub_up.neighbour
    poisoned = [_poisoned(city, poison) for poison in POISONS]
    for event, _ in poisoned:  # one batch each: a batch refused as a whole must not hide the others
        assert sender.signer.push([event]).status_code < 500

    for event, token in poisoned:
        assert city.get(f"/api/v1/track/{event['case']}/{token}").status_code in (200, 404)
    add_staff(city, "S01")
    with httpx.Client(base_url=city.url, follow_redirects=False, timeout=30) as browser:
        assert staff_form(browser).post("S01", STAFF_PASSWORD).status_code == 303
        for path in ("/staff/", "/staff/api/digest", "/staff/ranking", "/staff/api/ranking"):
            assert browser.get(path).status_code == 200, f"{path} after the poisoned pushes"
    later = sender.file(forward=False)
    assert sender.sync().rejected == 0
    for _ in range(2):  # the township's cursor moves on, run after run
        synced = city.township.cli("sync", "--json")
        assert synced.returncode == 0, synced.stderr[-800:]
    assert city.township.service.case(later).status == "received", "a case filed after the poison still arrives"


def test_4_a_stored_case_that_cannot_be_read_is_shown_alone(hub_up: City) -> None:
    city, sender = hub_up, hub_up.neighbour
    honest = sender.file(forward=False)
    assert sender.sync().rejected == 0
    event, token = _poisoned(city, "at-garbage")
    plant_stored_event(city, event, viewers=[TOWNSHIP, COUNTY, CITY])

    assert city.get(f"/api/v1/track/{event['case']}/{token}").status_code < 500
    assert city.get(sender.tracking_path(honest)).status_code == 200, "another case's page still opens"
    add_staff(city, "S03")
    with httpx.Client(base_url=city.url, follow_redirects=False, timeout=30) as browser:
        assert staff_form(browser).post("S03", STAFF_PASSWORD).status_code == 303
        for path in ("/staff/", "/staff/api/digest", "/staff/ranking", "/staff/api/ranking"):
            assert browser.get(path).status_code == 200, f"{path} with an unreadable case in the store"
    later = sender.file(forward=False)
    assert sender.sync().rejected == 0
    for _ in range(2):
        synced = city.township.cli("sync", "--json")
        assert synced.returncode == 0, synced.stderr[-800:]
    assert city.township.service.case(later).status == "received", "the township's pull moves past the case"


# -- 5. amplification --------------------------------------------------------------------

def _bomb_on_own_case(city: City, data_with_hole: dict, unit: bytes, count: int, opening: bytes,
                      closing: bytes) -> tuple[Site, str, bytes]:
    """A ``noted`` event on the sender's own real case, its data swollen to ``count`` units, gzip'd."""
    sender = city.neighbour
    case_no = sender.file(forward=False)
    assert sender.sync().rejected == 0
    last = sender.service.store.case_events(case_no)[-1]
    event = forged_event(sender.code, case_no, "noted", hlc=hlc_after(last.hlc), data=data_with_hole, prev=last.digest())
    text = json_bytes({"w": 1, "events": dicts_to_columns([event])})
    before, after = text.split(b'"@@HOLE@@"')
    return sender, case_no, gzip_bomb(before + opening, unit, count, closing + after)


def _push_under_watch(city: City, sender: Site, body: bytes) -> tuple[HubWatch, httpx.Response | None]:
    assert city.hub.process is not None
    with watch_hub(city.hub.process.pid, city.url, kill_above_mb=800, on_kill=city.hub.kill) as watch:
        try:
            answer: httpx.Response | None = sender.signer.push_body(body, timeout=120)
        except httpx.TransportError:
            answer = None
    return watch, answer


def _assert_hub_held(watch: HubWatch, answer: httpx.Response | None, limit_mb: float) -> None:
    assert not watch.killed_for_memory, f"the hub grew past 800 MB and was stopped (peak +{watch.growth_mb:.0f} MB)"
    assert watch.growth_mb < limit_mb, f"the hub grew by {watch.growth_mb:.0f} MB"
    assert watch.slowest_health_s < 1.0 and watch.health_failures == 0, (
        f"/healthz took up to {watch.slowest_health_s:.2f} s ({watch.health_failures} failures)")
    assert answer is not None and _refused(answer), answer.text[:300] if answer is not None else "no answer"


def test_5a_a_small_gzip_of_twenty_million_objects_is_refused_cheaply(hub_up: City) -> None:
    city = hub_up
    sender, case_no, body = _bomb_on_own_case(city, {"note": "核对", "pad": "@@HOLE@@"}, b"{},", 20_000_000,
                                              b"[", b"{}]")
    assert len(body) < 100 * 1024, len(body)

    watch, answer = _push_under_watch(city, sender, body)
    city.restart_if_down()

    _assert_hub_held(watch, answer, limit_mb=200)
    _, pulled_bytes = city.township.signer.pull_everything()
    assert pulled_bytes < 2**20, f"the township's pull carried {pulled_bytes} bytes"


@pytest.mark.parametrize("mebibytes", [60, 12], ids=["60MiB", "12MiB-one-event-below-any-body-cap"])
def test_5b_a_huge_string_is_refused_and_lookups_stay_fast(hub_up: City, mebibytes: int) -> None:
    city = hub_up
    sender, case_no, body = _bomb_on_own_case(city, {"note": "@@HOLE@@"}, b"a", mebibytes * 2**20, b'"', b'"')

    watch, answer = _push_under_watch(city, sender, body)
    city.restart_if_down()

    _assert_hub_held(watch, answer, limit_mb=200)
    started = time.monotonic()
    assert city.get(f"/api/v1/track/{case_no}/{'A' * 16}").status_code == 404
    assert time.monotonic() - started < 0.5, "a wrong-token lookup must not fold a swollen case"
    _, pulled_bytes = city.township.signer.pull_everything()
    assert pulled_bytes < 2**20, f"the township's pull carried {pulled_bytes} bytes"


# -- 6. unauthenticated freeze -----------------------------------------------------------

RATING_BOMB_BYTES = 16 * 2**20


def _rating_bomb(kind: str) -> tuple[dict[str, str], bytes]:
    if kind == "form":
        return {"content-type": "application/x-www-form-urlencoded"}, b"level=5&" + b"c=1&" * (RATING_BOMB_BYTES // 4)
    return {"content-type": "application/json"}, b'{"level":5,"comment":[' + b"{}," * (RATING_BOMB_BYTES // 3) + b"{}]}"


@pytest.mark.parametrize("kind,route,chunked", [("json", "/api/v1/track", False), ("form", "/T", False),
                                                ("json", "/api/v1/track", True)],
                         ids=["json", "form", "json-chunked"])
def test_6_a_huge_rating_body_is_refused_before_parsing(hub_up: City, kind: str, route: str, chunked: bool) -> None:
    city, village = hub_up, hub_up.village
    case_no = village.file(forward=False)
    village.sync()
    token = village.service.store.token(case_no)
    headers, body = _rating_bomb(kind)
    content = (body[i:i + 65536] for i in range(0, len(body), 65536)) if chunked else body
    assert city.hub.process is not None
    with watch_hub(city.hub.process.pid, city.url, kill_above_mb=800, on_kill=city.hub.kill) as watch:
        try:
            answer: httpx.Response | None = httpx.post(f"{city.url}{route}/{case_no}/{token}/rating",
                                                       content=content, headers=headers, timeout=60)
        except (httpx.RemoteProtocolError, httpx.WriteError, httpx.ReadError):
            answer = None  # the hub hung up on the body: a refusal too, if it is still well
    city.restart_if_down()

    assert not watch.killed_for_memory, f"the hub grew past 800 MB (peak +{watch.growth_mb:.0f} MB)"
    assert watch.growth_mb < 100, f"an unauthenticated body grew the hub by {watch.growth_mb:.0f} MB"
    assert watch.slowest_health_s < 1.0 and watch.health_failures == 0, (
        f"/healthz took up to {watch.slowest_health_s:.2f} s")
    assert answer is None or 400 <= answer.status_code < 500, answer.status_code
    assert _track(city, village, case_no)["rating"] is None


# -- 7. files by hash --------------------------------------------------------------------

def test_7_a_file_is_not_handed_out_for_naming_its_hash(hub_up: City) -> None:
    city, village, rival = hub_up, hub_up.village, hub_up.rival_village
    case_no = village.file(forward=True)
    scan = city.folder / "hukou.pdf"
    scan.write_bytes(tiny_pdf("hukou of Zeng Ji"))
    attached = village.cli("attach", case_no, "id_and_hukou", str(scan), "--agent", "A01", "--json")
    assert attached.returncode == 0, attached.stderr
    assert village.cli("sync", "--json").returncode == 0
    listed = json.loads(village.cli("attachments", case_no, "--json").stdout)["attachments"][0]
    assert city.township.signer.send("GET", f"/api/v1/files/{listed['sha256']}").status_code == 200, \
        "the township, which may see the case, gets the file (the file really is at the hub)"

    own_case = rival.file(forward=False)
    assert rival.sync().rejected == 0
    last = rival.service.store.case_events(own_case)[-1]
    claim = forged_event(rival.code, own_case, "attached", hlc=hlc_after(last.hlc), prev=last.digest(), data={
        "material": "id_and_hukou", "sha256": listed["sha256"], "size": listed["size"], "type": listed["type"],
        "name": "hukou.pdf", "original_sha256": listed["sha256"], "original_size": listed["size"]})
    rival.signer.push([claim])

    download = rival.signer.send("GET", f"/api/v1/files/{listed['sha256']}")
    assert download.status_code in (403, 404), f"another township's scan was served ({download.status_code})"
    assert scan.read_bytes() not in download.content


# -- 8. races ----------------------------------------------------------------------------

def _all_at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(count)

    def run(index: int) -> Any:
        barrier.wait(10)
        return work(index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_8a_twelve_concurrent_ratings_store_exactly_one(hub_up: City) -> None:
    city, village = hub_up, hub_up.village
    case_no = decided_case(village, hub_up.township)
    path = city.url + village.tracking_path(case_no) + "/rating"

    answers = _all_at_once(12, lambda i: httpx.post(path, json={"level": 5 - i % 2, "comment": f"第{i}次"},
                                                    timeout=30).status_code)

    assert answers.count(200) == 1 and all(400 <= code < 500 for code in answers if code != 200), answers
    village.sync()
    ratings = [r for r in village.service.case(case_no).ratings if r["by"] == "citizen"]
    assert len(ratings) == 1, f"{len(ratings)} citizen ratings stored"


def test_8b_concurrent_wrong_passwords_lock_the_staff_account(hub_up: City) -> None:
    city = hub_up
    add_staff(city, "S02")
    browsers = [httpx.Client(base_url=city.url, follow_redirects=False, timeout=60) for _ in range(40)]
    try:
        forms = [staff_form(browser) for browser in browsers]
        answers = _all_at_once(40, lambda i: forms[i].post("S02", f"wrong-{i}").status_code)
    finally:
        for browser in browsers:
            browser.close()
    assert all(400 <= code < 500 for code in answers), answers
    refused = staff_login(city, "S02", STAFF_PASSWORD)
    assert 400 <= refused.status_code < 500, "40 wrong passwords must lock the account"
    assert "cityhall_staff" not in refused.cookies


def test_8c_misses_from_one_address_never_refuse_a_correct_token(hub_up: City) -> None:
    city, village = hub_up, hub_up.village
    case_no = village.file(forward=False)
    assert village.sync().rejected == 0
    try:
        misses = [city.get(f"/api/v1/track/{case_no}/{'A' * 16}").status_code for _ in range(40)]
        assert set(misses) <= {404, 429} and 429 in misses, misses

        assert city.get(village.tracking_path(case_no)).status_code == 200, "the citizen's own token still opens"
        assert city.get(village.tracking_path(case_no).replace("/api/v1/track/", "/T/")).status_code == 200
    finally:
        city.hub.stop()  # the miss counter lives in the hub's memory: the next test starts clean
        city.hub.start()


# -- every public route is bounded -------------------------------------------------------

def test_public_routes_keep_no_copies_and_no_metrics(hub_up: City) -> None:
    city, village = hub_up, hub_up.village
    case_no = village.file(forward=False)
    assert village.sync().rejected == 0
    for path in (village.tracking_path(case_no), village.tracking_path(case_no).replace("/api/v1/track/", "/T/")):
        answer = city.get(path)
        assert answer.status_code == 200
        assert "no-store" in answer.headers.get("cache-control", ""), f"{path} may be kept by a shared cache"
    # the hub serves /metrics to its own machine only, unless a token is configured: a client from
    # elsewhere (here: through a proxy that says so) is refused
    from_outside = city.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert from_outside.status_code in (401, 403, 404), "/metrics is not public unless configured"
