"""The citizen's page and its JSON twin: no identity, one 404, rate limit, rating to the origin."""
from __future__ import annotations

import httpx

from tests.support.demo import TOWNSHIP, VILLAGE

from .conftest import World


def _decided_case(world: World) -> tuple[str, str]:
    village, township = world.sites[VILLAGE], world.sites[TOWNSHIP]
    from tests.support.hub import file_case
    case_no = file_case(village.service, village.operator)
    with village.client() as client:
        client.sync_once()
    with township.client() as client:
        client.sync_once()
        township.service.act(township.operator, case_no, "accepted")
        township.service.act(township.operator, case_no, "approved")
        client.sync_once()
    return case_no, village.service.store.token(case_no) or ""


def test_json_twin_shows_progress_without_identity(world: World) -> None:
    case_no, token = _decided_case(world)
    body = httpx.get(f"{world.url}/api/v1/track/{case_no}/{token.lower()}").json()
    assert {"case_no", "item", "applicant", "status", "status_label", "deadline", "overdue",
            "outstanding_materials", "timeline"} <= set(body)
    assert (body["status"], body["applicant"], body["item"]) == ("approved", "曾*", "高龄津贴")
    assert [s["kind"] for s in body["timeline"]] == ["received", "forwarded", "accepted", "approved"]
    assert body["timeline"][2]["station"] == "山坡镇便民服务中心"
    assert body["outstanding_materials"] == ["银行卡（惠民惠农一卡通）复印件"]
    assert body["supplement_due"] is None  # decided: nothing is owed by a date any more
    text = httpx.get(f"{world.url}/T/{case_no}/{token}").text
    for secret in ("11010519491231002X", "曾𠮷", "6228480402564890018", "A01"):
        assert secret not in text and secret not in str(body)


def test_wrong_token_and_unknown_case_give_the_same_404_then_the_limit_for_misses_only(world: World) -> None:
    case_no, token = _decided_case(world)
    wrong = httpx.get(f"{world.url}/T/{case_no}/AAAAAAAAAAAAAAAA")
    unknown = httpx.get(f"{world.url}/T/4201151022032026112299990/{token}")
    assert wrong.status_code == unknown.status_code == 404 and wrong.text == unknown.text
    garbage = httpx.get(f"{world.url}/api/v1/track/nonsense/{token}")
    assert garbage.status_code == 404
    for _ in range(3):
        httpx.get(f"{world.url}/T/{case_no}/BBBBBBBBBBBBBBBB")
    assert httpx.get(f"{world.url}/T/{case_no}/CCCCCCCCCCCCCCCC").status_code == 429  # miss_limit=5 in the fixture
    assert httpx.get(f"{world.url}/api/v1/track/{case_no}/DDDDDDDDDDDDDDDD").status_code == 429
    # the right token is never refused for the misses of others on the same address
    assert httpx.get(f"{world.url}/T/{case_no}/{token}").status_code == 200
    assert httpx.get(f"{world.url}/api/v1/track/{case_no}/{token}").status_code == 200


def test_security_headers(world: World) -> None:
    response = httpx.get(f"{world.url}/healthz")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_rating_reaches_the_origin_station_once(world: World) -> None:
    case_no, token = _decided_case(world)
    url = f"{world.url}/api/v1/track/{case_no}/{token}/rating"
    assert httpx.post(url, json={"level": 9}).status_code == 400
    assert httpx.post(url, json={"level": 5, "comment": "代办员很耐心"}).status_code == 200
    assert httpx.post(url, json={"level": 1}).status_code == 409
    village = world.sites[VILLAGE]
    with village.client() as client:
        assert client.sync_once().pulled == 3  # accepted, approved, rated
    rating = village.service.case(case_no).ratings
    assert rating == [rating[0] | {"level": 5, "by": "citizen", "comment": "代办员很耐心"}]
    rated = httpx.get(f"{world.url}/api/v1/track/{case_no}/{token}").json()["timeline"][-1]
    assert (rated["kind"], rated["station"]) == ("rated", "您本人")  # the citizen's rating, not the city hall's


def test_a_material_owed_by_a_date_shows_that_date(world: World) -> None:
    village = world.sites[VILLAGE]
    from tests.support.hub import file_case
    case_no = file_case(village.service, village.operator)
    with village.client() as client:
        client.sync_once()
    token = village.service.store.token(case_no) or ""
    due = village.service.case_view(case_no).supplement_due
    assert due, "the demo case defers a material"
    assert httpx.get(f"{world.url}/api/v1/track/{case_no}/{token}").json()["supplement_due"] == due
    assert f'<strong id="supplement-due">{due}</strong> 前交给' in httpx.get(f"{world.url}/T/{case_no}/{token}").text


def test_undecided_case_cannot_be_rated(world: World) -> None:
    village = world.sites[VILLAGE]
    from tests.support.hub import file_case
    case_no = file_case(village.service, village.operator)
    with village.client() as client:
        client.sync_once()
    token = village.service.store.token(case_no)
    response = httpx.post(f"{world.url}/api/v1/track/{case_no}/{token}/rating", json={"level": 4})
    assert response.status_code == 409
    assert "评价" not in httpx.get(f"{world.url}/T/{case_no}/{token}").text.split("办理进度")[1].split("</ol>")[1]
