from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from station.errors import BadInput, NotAllowed, NotFound
from station.home import CHINA_TZ
from station.ledger import display_case_no, make_case_no
from station.lockbox import Credentials
from station.service import StationService
from tests.support.demo import OTHER_VILLAGE, TOWNSHIP

from .helpers import FakeClock, allowance_request, make_service, sign_in


def test_intake_makes_a_durable_case_with_deferred_material(village: StationService) -> None:
    result = village.intake(sign_in(village, "A01", "1234"), allowance_request())
    assert result["status"] == "received"
    assert result["deadline"] is None and result["deadline_note"] == "clock starts at acceptance"
    assert result["supplement_due"] == "2026-11-09"  # 5 working days after Monday 2 November
    assert result["tracking_url"].startswith("HTTP://127.0.0.1:8700/T/" + result["case_no"] + "/")
    state = village.case(display_case_no(result["case_no"]))
    assert state.applicant["name"] == "曾𠮷" and list(state.deferred) == ["bank_card_copy"]
    assert village.store.outbox_counts()["pending"] == 1


def test_case_numbers_count_up_per_day(village: StationService, clock: FakeClock) -> None:
    operator = sign_in(village, "A01", "1234")
    first = village.intake(operator, allowance_request())["case_no"]
    second = village.intake(operator, allowance_request())["case_no"]
    clock.now += timedelta(days=1)
    third = village.intake(operator, allowance_request())["case_no"]
    assert (first[20:24], second[20:24], third[20:24]) == ("0001", "0002", "0001")


def test_bad_intake_lists_every_problem_and_writes_nothing(village: StationService) -> None:
    request = allowance_request(applicant_id="11010519491231002Y", applicant_name=" ", phone="12345",
                                fields={"age_band": "70"}, received=["id_and_hukou"], deferred=["application_form"])
    with pytest.raises(BadInput) as caught:
        village.intake(sign_in(village, "A01", "1234"), request)
    text = "\n".join(caught.value.problems)
    for expected in ("校验码", "姓名", "手机号", "年龄段", "不能容缺", "缺少必要材料"):
        assert expected in text
    assert village.store.event_count() == 0 and village.store.case_count() == 0


def test_returning_citizen_is_found_by_id_and_pinyin(village: StationService) -> None:
    village.intake(sign_in(village, "A01", "1234"), allowance_request())
    assert village.store.search_citizens("110105")[0]["name"] == "曾𠮷"
    assert village.store.search_citizens("z")[0]["id_number"] == "11010519491231002X"
    assert village.store.search_citizens("ceng")  # the common-word reading finds it too
    assert [c["name"] for c in village.store.search_citizens("曾")] == ["曾𠮷"]  # 𠮷 is past U+FFFF
    assert [c["name"] for c in village.store.search_citizens("曾𠮷")] == ["曾𠮷"]
    assert village.store.citizen("11010519491231002X")["phone"] == "13812345678"


def test_wrong_pins_lock_the_operator(village: StationService, clock: FakeClock) -> None:
    for _ in range(5):
        with pytest.raises(NotAllowed):
            village.sign_in("A01", "0000")
    with pytest.raises(NotAllowed, match="锁定"):
        village.sign_in("A01", "1234")
    clock.now += timedelta(minutes=16)
    assert village.sign_in("A01", "1234").name == "王小丽"


def test_a_village_agent_can_never_approve(village: StationService) -> None:
    operator = sign_in(village, "A01", "1234")
    case_no = village.intake(operator, allowance_request())["case_no"]
    with pytest.raises(NotAllowed, match="代办员无权"):
        village.act(operator, case_no, "approved")
    with pytest.raises(BadInput, match="不能办理"):
        village.act(operator, case_no, "delivered")
    assert len(village.store.case_events(case_no)) == 1


def test_township_accepts_and_decides_with_a_working_day_deadline(
        village: StationService, township: StationService, clock: FakeClock) -> None:
    agent = sign_in(village, "A01", "1234")
    case_no = village.intake(agent, allowance_request())["case_no"]
    village.act(agent, case_no, "forwarded")
    township.apply_events(village.store.case_events(case_no))
    clerk, approver = sign_in(township, "C01", "2345"), sign_in(township, "P01", "3456")
    clock.now = datetime(2026, 9, 28, 10, tzinfo=CHINA_TZ)  # REFERENCE: +5 working days is Saturday 10 October
    with pytest.raises(NotAllowed):
        township.act(clerk, case_no, "approved")
    township.act(clerk, case_no, "accepted")
    assert township.store.case_rows()[0]["deadline"] == "2026-10-16"  # 10 working days over National Day
    state = township.act(approver, case_no, "approved", reason="符合条件")
    assert state.status == "approved" and state.handler == TOWNSHIP
    village.apply_events(township.store.case_events(case_no))
    assert village.case(case_no).status == "approved"


def test_deadline_in_an_uncovered_year_is_unknown_not_guessed(township: StationService, clock: FakeClock) -> None:
    clock.now = datetime(2026, 12, 24, 10, tzinfo=CHINA_TZ)
    clerk = sign_in(township, "C01", "2345")
    case_no = township.intake(clerk, allowance_request())["case_no"]  # township-level item: accepted at once
    view = township.intake_result(case_no)
    assert view["status"] == "accepted"
    assert view["deadline"] is None and view["deadline_note"] == "deadline unknown: no calendar for 2027"


def test_a_new_calendar_file_turns_unknown_into_a_date(township: StationService, clock: FakeClock) -> None:
    clock.now = datetime(2026, 12, 24, 10, tzinfo=CHINA_TZ)
    case_no = township.intake(sign_in(township, "C01", "2345"), allowance_request())["case_no"]
    township.home.calendar_dir.mkdir()
    (township.home.calendar_dir / "2027.toml").write_text(
        'holidays = ["2027-01-01"]\nworkdays = []\n', encoding="utf-8")
    reopened = StationService(township.home, clock=clock, credentials=Credentials(pin="2345"))
    reopened.refresh_deadlines()
    assert reopened.store.case_rows()[0]["deadline"] == "2027-01-08"
    reopened.close()
    assert case_no


def test_supplement_request_pauses_the_clock(village: StationService, township: StationService, clock: FakeClock) -> None:
    agent = sign_in(village, "A01", "1234")
    request = allowance_request(deferred=[], received=["id_and_hukou", "application_form", "bank_card_copy"])
    case_no = village.intake(agent, request)["case_no"]
    village.act(agent, case_no, "forwarded")
    township.apply_events(village.store.case_events(case_no))
    clerk = sign_in(township, "C01", "2345")
    township.act(clerk, case_no, "accepted")  # Monday 2 November: due 16 November
    clock.now += timedelta(days=1)
    with pytest.raises(BadInput, match="一次告知"):
        township.act(clerk, case_no, "supplement_requested")
    township.act(clerk, case_no, "supplement_requested", materials=["application_form"], reason="签名缺失")
    clock.now += timedelta(days=2)  # Thursday 5 November: 2 working days paused
    township.act(clerk, case_no, "supplemented", materials=["application_form"])
    row = township.store.case_rows()[0]
    assert (row["status"], row["deadline"]) == ("accepted", "2026-11-18")


def test_voiding_only_after_the_promise_is_broken(village: StationService, clock: FakeClock) -> None:
    agent = sign_in(village, "A01", "1234")
    case_no = village.intake(agent, allowance_request())["case_no"]
    with pytest.raises(BadInput, match="未到期"):
        village.act(agent, case_no, "voided")
    clock.now += timedelta(days=10)
    assert village.act(agent, case_no, "voided", reason="逾期未补交").status == "voided"


def test_unknown_and_invisible_cases_are_not_found(village: StationService, tmp_path, clock: FakeClock) -> None:
    with pytest.raises(NotFound):
        village.case(make_case_no(OTHER_VILLAGE, date(2026, 11, 2), 1))
    other = make_service(tmp_path, OTHER_VILLAGE, clock)
    other.add_agent("B01", "张三", "agent", "1234")
    foreign = other.intake(sign_in(other, "B01", "1234"), allowance_request())["case_no"]
    village.apply_events(other.store.case_events(foreign))  # e.g. through a bundle passing by
    with pytest.raises(NotFound):
        village.case(foreign)
    with pytest.raises(BadInput):
        village.case("12345")


def test_events_are_append_only_in_the_file_itself(village: StationService) -> None:
    from station.store import connect_store, dbapi2

    village.intake(sign_in(village, "A01", "1234"), allowance_request())
    conn = connect_store(village.home.database, village.data_key())
    for statement in ("UPDATE events SET kind = 'approved'", "DELETE FROM events"):
        with pytest.raises(dbapi2.IntegrityError, match="append-only"):
            conn.execute(statement)
    conn.close()


def test_a_name_with_digits_is_refused_and_a_rare_or_minority_name_is_kept(village: StationService) -> None:
    operator = sign_in(village, "A01", "1234")
    with pytest.raises(BadInput) as caught:
        village.intake(operator, allowance_request(applicant_name="abc123"))
    assert caught.value.problems == ["申请人姓名“abc123”含有数字或控制字符，请按身份证上的姓名填写"]
    assert village.store.outbox_counts().get("pending", 0) == 0
    for name in ("王𠮷祥", "买买提·艾力"):
        case_no = village.intake(operator, allowance_request(applicant_name=name))["case_no"]
        assert village.case(case_no).applicant["name"] == name


def test_an_operator_id_typed_in_lower_case_signs_in_as_itself(village: StationService) -> None:
    village.add_agent("B02", "李大山", "agent", "5678")
    operator = village.sign_in("b02", "5678")
    assert operator.id == "B02"
    with pytest.raises(NotAllowed):
        village.sign_in("b02", "0000")
    assert village.store.agent("B02")["failed_attempts"] == 1
