"""Texts through the real hub (HTTP sync into its store) and a sender on a clock the test moves."""
from __future__ import annotations

import json

import httpx
import pytest

from cityhall.notify.outbox import list_notices
from station.ledger import display_case_no
from station.service import IntakeRequest
from tests.support.hub import INTAKE_FIELDS, ITEM

from .conftest import TEMPLATES, Bench, Site

APPLICANT_ID, APPLICANT_NAME, PHONE = "11010519491231002X", "曾𠮷", "13800138000"


def intake(site: Site, phone: str | None = PHONE, forward: bool = True, **options: object) -> str:
    request = IntakeRequest(ITEM, APPLICANT_ID, APPLICANT_NAME, phone=phone, fields=dict(INTAKE_FIELDS),
                            received=["id_and_hukou", "application_form"], deferred=["bank_card_copy"], **options)
    case_no = site.service.intake(site.operator, request)["case_no"]
    if forward:
        site.act(case_no, "forwarded")
    site.sync()
    return case_no


def walk_to_decision(bench: Bench, case_no: str) -> None:
    """Township accepts, asks for a material, the village brings it, the township approves."""
    bench.township.sync()
    bench.township.act(case_no, "accepted")
    bench.township.act(case_no, "supplement_requested", materials=["application_form"], reason="申请表未签字")
    bench.township.sync()
    bench.village.sync()
    bench.village.act(case_no, "supplemented", materials=["application_form"])
    bench.village.sync()
    bench.township.sync()
    bench.township.act(case_no, "approved")
    bench.township.sync()


def steps_of(bench: Bench, case_no: str) -> list[tuple[str, str]]:
    return [(n["step"], n["status"]) for n in list_notices(bench.store.engine, case_no)]


def test_each_step_sends_one_text_in_order_with_only_safe_parameters(bench: Bench) -> None:
    case_no = intake(bench.village)
    walk_to_decision(bench, case_no)
    assert bench.sender.run_once() == 4
    texts = bench.recorder.wait_for(4)
    assert [t["template"] for t in texts] == [TEMPLATES[s] for s in ("received", "accepted", "supplement_requested",
                                                                     "decided")]
    assert {t["phone"] for t in texts} == {PHONE}
    shown = display_case_no(case_no)
    assert all(t["params"]["case_no"] == shown and t["params"]["item"] == "高龄津贴" and t["params"]["name"] == "曾*"
               for t in texts)
    received, accepted, supplement, decided = (t["params"] for t in texts)
    assert received["url"].startswith(f"{bench.hub_url.upper()}/T/{case_no}/")
    assert httpx.get(received["url"]).status_code == 200, "the text's link opens the citizen's page"
    assert accepted["deadline"] == "2026-11-16"  # the item promises 10 working days after Monday 2 November
    assert supplement["materials"] == "高龄津贴申请表" and supplement["station"] == "山坡镇便民服务中心"
    assert (decided["result"], decided["place"]) == ("准予", "光星村便民服务站")
    wire = json.dumps(texts, ensure_ascii=False)
    for secret in (APPLICANT_ID, APPLICANT_NAME, *INTAKE_FIELDS.values()):
        assert secret not in wire
    assert steps_of(bench, case_no) == [("received", "sent"), ("accepted", "sent"),
                                        ("supplement_requested", "sent"), ("decided", "sent")]
    stored = list_notices(bench.store.engine, case_no)[0]["params"]["url"]
    assert stored.endswith("/****************"), "the one-off link is not kept once the text is out"


def test_the_applicant_is_told_of_an_extension_and_of_a_pause_and_its_end(bench: Bench) -> None:
    case_no = intake(bench.village)
    bench.township.sync()
    bench.township.act(case_no, "accepted")
    bench.township.act(case_no, "extended", days=5, reason="需入户核查共同生活情况")
    bench.township.act(case_no, "suspended", reason="公示", until="2026-11-11")
    bench.township.sync()
    bench.clock.advance(days=1)  # Tuesday 3 November: the 公示 is cut short
    bench.township.act(case_no, "resumed")
    bench.township.sync()
    assert bench.sender.run_once() == 5
    texts = {t["template"]: t["params"] for t in bench.recorder.wait_for(5)}
    extended, suspended, resumed = (texts[TEMPLATES[s]] for s in ("extended", "suspended", "resumed"))
    assert (extended["days"], extended["reason"]) == ("5", "需入户核查共同生活情况")
    assert (suspended["pause"], suspended["until"]) == ("公示中", "2026-11-11")
    # 10 + 5 working days after Monday 2 November, plus the one working day the 公示 stood
    assert resumed["deadline"] == "2026-11-24"
    assert steps_of(bench, case_no)[-3:] == [("extended", "sent"), ("suspended", "sent"), ("resumed", "sent")]


def test_re_pushing_the_same_events_makes_no_second_text(bench: Bench) -> None:
    case_no = intake(bench.village)
    events = bench.store._stored_events(bench.store.engine.connect(), case_no)
    answers = bench.store.ingest(events, bench.village.service.station.code, 0.0)
    assert {a.status for a in answers} == {"duplicate"}
    bench.sender.run_once()
    assert len(bench.recorder.wait_for(1)) == 1 and steps_of(bench, case_no) == [("received", "sent")]


@pytest.mark.parametrize("notify_options", [{"quiet_hours": "21:00-08:00"}])
def test_quiet_hours_hold_texts_until_morning(bench: Bench) -> None:
    bench.clock.now = bench.clock.now.replace(hour=22, minute=30)
    case_no = intake(bench.village)
    assert bench.sender.run_once() == 0
    assert steps_of(bench, case_no) == [("received", "queued")]
    bench.clock.advance(hours=9, minutes=29)  # 07:59 the next day
    assert bench.sender.run_once() == 0
    bench.clock.advance(minutes=1)
    assert bench.sender.run_once() == 1
    assert steps_of(bench, case_no) == [("received", "sent")]


@pytest.mark.parametrize("notify_options", [{"rate_per_minute": 2}])
def test_the_rate_cap_spreads_texts_over_minutes(bench: Bench) -> None:
    cases = [intake(bench.village) for _ in range(5)]
    assert bench.sender.run_once() == 2
    bench.clock.advance(seconds=30)
    assert bench.sender.run_once() == 0
    bench.clock.advance(seconds=31)
    assert bench.sender.run_once() == 2
    bench.clock.advance(seconds=61)
    assert bench.sender.run_once() == 1
    assert [t["params"]["case_no"] for t in bench.recorder.wait_for(5)] == [display_case_no(c) for c in cases]


def test_a_rating_invite_goes_once_three_working_days_after_the_decision(bench: Bench) -> None:
    case_no = intake(bench.village)
    walk_to_decision(bench, case_no)  # decided on Monday 2 November
    bench.sender.run_once()
    bench.clock.now = bench.clock.now.replace(day=4, hour=18)  # Wednesday: 2 working days later
    bench.sender._last_scan = None
    bench.sender.run_once()
    assert "rate_invite" not in dict(steps_of(bench, case_no))
    bench.clock.now = bench.clock.now.replace(day=5, hour=9)  # Thursday: 3 working days
    for _ in range(3):
        bench.sender._last_scan = None
        bench.sender.run_once()
    assert steps_of(bench, case_no).count(("rate_invite", "sent")) == 1
    invite = bench.recorder.wait_for(5)[-1]
    assert invite["template"] == TEMPLATES["rate_invite"] and httpx.get(invite["params"]["url"]).status_code == 200


def test_a_rated_case_gets_no_invite(bench: Bench) -> None:
    case_no = intake(bench.village)
    walk_to_decision(bench, case_no)
    bench.village.sync()
    bench.village.service.act(bench.village.operator, case_no, "rated", level=5)
    bench.village.sync()
    bench.clock.now = bench.clock.now.replace(day=10)
    bench.sender.run_once()
    assert "rate_invite" not in dict(steps_of(bench, case_no))


def test_a_deferred_material_due_in_two_working_days_is_reminded_once(bench: Bench) -> None:
    case_no = intake(bench.village)
    due = bench.village.service.intake_result(case_no)["supplement_due"]
    calendar = bench.village.service.calendar
    from datetime import date

    due_day = date.fromisoformat(due)
    three_before = next(d for d in (date.fromordinal(due_day.toordinal() - k) for k in range(1, 10))
                        if calendar.workdays_between(d, due_day) == 3)
    bench.clock.now = bench.clock.now.replace(month=three_before.month, day=three_before.day)
    bench.sender._last_scan = None
    bench.sender.run_once()
    assert "deferred_due" not in dict(steps_of(bench, case_no))
    bench.clock.now = bench.clock.now.replace(day=bench.clock.now.day + 1) if calendar.workdays_between(
        bench.clock.now.date(), due_day) > 2 else bench.clock.now
    two_before = next(d for d in (date.fromordinal(due_day.toordinal() - k) for k in range(10))
                      if calendar.workdays_between(d, due_day) == 2)
    bench.clock.now = bench.clock.now.replace(month=two_before.month, day=two_before.day)
    for _ in range(2):
        bench.sender._last_scan = None
        bench.sender.run_once()
    reminder = [t for t in bench.recorder.wait_for(2) if t["template"] == TEMPLATES["deferred_due"]]
    assert len(reminder) == 1
    assert reminder[0]["params"]["materials"] == "银行卡（惠民惠农一卡通）复印件" and reminder[0]["params"]["due"] == due


def test_the_citizen_stops_texts_from_the_tracking_page(bench: Bench) -> None:
    case_no = intake(bench.village)
    token = bench.village.service.tracking_url(case_no).rsplit("/", 1)[1]
    wrong = httpx.post(f"{bench.hub_url}/T/{case_no}/AAAAAAAAAAAAAAAA/sms-stop")
    assert wrong.status_code == 404
    page = httpx.post(f"{bench.hub_url}/T/{case_no}/{token}/sms-stop")
    assert page.status_code == 200 and "已停止短信通知" in page.text
    walk_to_decision(bench, case_no)
    bench.sender.run_once()
    assert steps_of(bench, case_no) == [("received", "skipped"), ("accepted", "skipped"),
                                        ("supplement_requested", "skipped"), ("decided", "skipped")]
    assert bench.recorder.accepted == []
    assert list_notices(bench.store.engine, case_no)[0]["detail"] == "申请人选择不再接收短信"


def test_the_opt_out_also_answers_json_and_reaches_texts_already_queued(bench: Bench) -> None:
    case_no = intake(bench.village)
    token = bench.village.service.tracking_url(case_no).rsplit("/", 1)[1]
    assert httpx.post(f"{bench.hub_url}/api/v1/track/{case_no}/{'B' * 16}/sms-opt-out").status_code == 404
    answer = httpx.post(f"{bench.hub_url}/api/v1/track/{case_no}/{token.lower()}/sms-opt-out")
    assert answer.status_code == 200 and answer.json() == {"ok": True, "skipped": 1}
    bench.sender.run_once()
    assert steps_of(bench, case_no) == [("received", "skipped")] and bench.recorder.accepted == []


def test_the_station_records_no_texts_at_intake(bench: Bench) -> None:
    case_no = intake(bench.village, sms_opt_out=True)
    bench.township.sync()
    bench.township.act(case_no, "accepted")
    bench.township.sync()
    bench.sender.run_once()
    assert steps_of(bench, case_no) == [("received", "skipped"), ("accepted", "skipped")]


def test_no_phone_is_recorded_as_skipped(bench: Bench) -> None:
    case_no = intake(bench.village, phone=None)
    bench.sender.run_once()
    assert [(n["status"], n["detail"]) for n in list_notices(bench.store.engine, case_no)] == [("skipped", "未登记手机号")]


def test_a_refusing_provider_leaves_a_failed_notice_with_its_answer(bench: Bench) -> None:
    bench.recorder.fail_first = [400]
    case_no = intake(bench.village)
    bench.sender.run_once()
    notice = list_notices(bench.store.engine, case_no)[0]
    assert notice["status"] == "failed" and "HTTP 400" in notice["detail"] and notice["attempts"] == 1


@pytest.mark.parametrize("notify_options", [{"retries": 3}])
def test_a_provider_down_for_good_fails_after_the_retries(bench: Bench) -> None:
    bench.recorder.fail_first = [503, 502, 500]
    case_no = intake(bench.village)
    bench.sender.run_once()
    notice = list_notices(bench.store.engine, case_no)[0]
    assert notice["status"] == "failed" and notice["attempts"] == 3 and "HTTP 500" in notice["detail"]
    assert [r["status"] for r in bench.recorder.requests] == [503, 502, 500]


def test_staff_pages_and_metrics_count_the_texts(bench: Bench) -> None:
    from cityhall.staff_accounts import add_staff
    from tests.staff.conftest import PASSWORD, log_in

    intake(bench.village)
    intake(bench.village, phone=None)
    bench.sender.run_once()
    add_staff(bench.store.engine, "sms01", "陈督查", PASSWORD)
    with httpx.Client(base_url=bench.hub_url, timeout=10) as client:
        assert log_in(client, "sms01").status_code == 303
        counts = client.get("/staff/api/digest").json()["notices"]
        page = client.get("/staff/").text
    assert counts == {"queued": 0, "sending": 0, "sent": 1, "failed": 0, "skipped": 1}
    assert '<span class="n" data-notices="sent">1</span>已发送' in page
    metrics = httpx.get(f"{bench.hub_url}/metrics").text
    assert 'cityhall_notices{status="sent"} 1' in metrics and 'cityhall_notices{status="skipped"} 1' in metrics


def test_a_voided_case_is_told_so(bench: Bench) -> None:
    case_no = intake(bench.village, forward=False)
    bench.clock.now = bench.clock.now.replace(day=27)  # the bank card copy was due long ago
    bench.village.act(case_no, "voided", reason="容缺材料逾期未补交")
    bench.village.sync()
    bench.sender.run_once()
    voided = bench.recorder.wait_for(2)[-1]
    assert voided["template"] == TEMPLATES["voided"]
    assert voided["params"] == {"case_no": display_case_no(case_no), "item": "高龄津贴", "name": "曾*"}


@pytest.mark.parametrize("notify_options", [{"retries": 5, "retry_wait_s": 0.5}])
def test_a_hub_shutting_down_mid_retry_leaves_the_text_queued_not_failed(bench: Bench) -> None:
    import threading
    import time

    bench.recorder.fail_first = [503] * 10
    case_no = intake(bench.village)
    worker = threading.Thread(target=bench.sender.run_once)
    worker.start()
    deadline = time.monotonic() + 20
    while not bench.recorder.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    bench.sender._stop.set()
    worker.join(20)
    assert not worker.is_alive() and len(bench.recorder.requests) < 5
    assert steps_of(bench, case_no) == [("received", "queued")]


@pytest.mark.parametrize("notify_options", [{"templates": {"accepted": "SMS_0003"}}])
def test_a_step_without_a_template_code_is_skipped_saying_so(bench: Bench) -> None:
    case_no = intake(bench.village)
    bench.sender.run_once()
    notice = list_notices(bench.store.engine, case_no)[0]
    assert (notice["step"], notice["status"], notice["detail"]) == ("received", "skipped", "未配置“received”步骤的短信模板")
    assert notice["params"]["url"] == "", "no link is made for a text that never goes out"
