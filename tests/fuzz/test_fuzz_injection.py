"""SQL and HTML injection in every text that reaches the citizen's page or a query."""
from __future__ import annotations

import copy
from urllib.parse import quote

import pytest

from sync.wire import encode_batch
from tests.fuzz.conftest import FuzzHub
from tests.support.simstation import RECEIVED_DATA

PUSH = "/api/v1/sync/push"
HOSTILE_TEXTS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE events; --",
    "1' OR '1'='1",
    "{{ 7*7 }}{% raw %}",
    "</textarea><svg/onload=alert(1)>",
    "曾𠮷<b>粗</b>\u202e\x00",
]


def hostile_intake(hub: FuzzHub, text: str):  # noqa: ANN201 - an Event
    data = copy.deepcopy(RECEIVED_DATA)  # the item and its materials are the hub's: only these texts are the station's
    data["applicant"]["name"] = text[:50]
    data["fields"]["village_group"] = text
    event = hub.village.intake()
    hub.village.recorded.pop()
    tampered = type(event)(**(event.to_dict() | {"data": data | {"token_hash": event.data["token_hash"]}}))
    hub.village.recorded.append(tampered)
    hub.village.head = tampered.digest()
    return tampered


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_text_is_stored_verbatim_and_shown_escaped(fuzz_hub: FuzzHub, text: str) -> None:
    event = hostile_intake(fuzz_hub, text)
    body = encode_batch([event])
    answer = fuzz_hub.client.post(PUSH, content=body, headers=fuzz_hub.village.headers("POST", PUSH, body))
    assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "accepted"
    token = fuzz_hub.village.tokens[event.case]
    page = fuzz_hub.client.get(f"/T/{event.case}/{token}")
    assert page.status_code == 200
    for dangerous in ("<script>", "<img", "<svg", "<b>", "</textarea>"):
        if dangerous in text:
            assert dangerous not in page.text, f"{dangerous!r} reached the page unescaped"
    as_json = fuzz_hub.client.get(f"/api/v1/track/{event.case}/{token}").json()
    assert as_json["item"] == RECEIVED_DATA["item"]["name"]
    assert as_json["applicant"] != text, "the applicant's full name reached the public page"
    assert text not in page.text, "a form answer or the full name reached the public page"


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_case_numbers_and_tokens_in_urls_are_a_plain_404(fuzz_hub: FuzzHub, text: str) -> None:
    before = fuzz_hub.client.get("/healthz").json()["events"]
    for path in (f"/T/{quote(text, safe='')}/AAAA", f"/api/v1/track/{quote(text, safe='')}/{quote(text, safe='')}"):
        response = fuzz_hub.client.get(path)
        assert response.status_code in (404, 429), (path, response.status_code)
        assert "<script>" not in response.text
    assert fuzz_hub.client.get("/healthz").json()["events"] == before


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_pull_cursor_and_station_header_are_a_clear_4xx(fuzz_hub: FuzzHub, text: str) -> None:
    path = f"/api/v1/sync/pull?after={quote(text)}"
    response = fuzz_hub.client.get(path, headers=fuzz_hub.village.headers("GET", path))
    assert 400 <= response.status_code < 500
    headers = fuzz_hub.village.headers("GET", "/api/v1/sync/pull") | {"X-Station": quote(text)}
    assert fuzz_hub.client.get("/api/v1/sync/pull", headers=headers).status_code == 401


def test_a_hostile_rating_comment_is_kept_inside_and_never_shown(fuzz_hub: FuzzHub) -> None:
    event = hostile_intake(fuzz_hub, "高龄津贴")
    body = encode_batch([event])
    fuzz_hub.client.post(PUSH, content=body, headers=fuzz_hub.village.headers("POST", PUSH, body))
    token = fuzz_hub.village.tokens[event.case]
    response = fuzz_hub.client.post(f"/api/v1/track/{event.case}/{token}/rating",
                                    json={"level": 5, "comment": "<script>alert(1)</script>'; DROP TABLE cases;--"})
    assert response.status_code == 409  # not decided yet: a clear refusal, not a crash
    assert "<script>" not in fuzz_hub.client.get(f"/T/{event.case}/{token}").text
