"""Which texts a step calls for, with nothing in them that identifies the applicant: pure rules."""
from __future__ import annotations


from hypothesis import given, settings, strategies as st

from cityhall.notify.config import STEPS
from cityhall.notify.steps import SAFE_PARAMS, STEP_PARAMS, drafts_for_events, phone_problem
from station.ledger import CaseState, Event, fold
from station.topology import Topology
from station.workdays import WorkCalendar
from tests.support.demo import DEMO_TOPOLOGY_FILE, TOWNSHIP, VILLAGE

TOPOLOGY = Topology.load(DEMO_TOPOLOGY_FILE)
CALENDAR = WorkCalendar.load()
CASE = "4201151022032026110200075"


def _event(kind: str, n: int, station: str = TOWNSHIP, day: str = "2026-11-02", **data: object) -> Event:
    role = "approver" if station == TOWNSHIP else "agent"
    return Event(id=f"01JD{n:022d}", case=CASE, kind=kind, hlc=f"0001{n:012d}", at=f"{day}T10:00:00+08:00",
                 station=station, actor="T01" if role == "approver" else "A01", data=dict(data), role=role)


def _received(name: str, id_number: str, phone: str, answers: dict[str, str]) -> Event:
    return _event("received", 1, VILLAGE, item={"code": "420115GF0004", "name": "高龄津贴", "level": "township",
                                                "promise_days": 10, "legal_days": 20, "max_extension_days": 10,
                                                "version": 2},
                  applicant={"id_number": id_number, "name": name, "phone": phone}, fields=answers,
                  materials=[{"key": "application_form", "name": "高龄津贴申请表", "status": "received"}],
                  token_hash="0" * 64)


def _case(*events: Event) -> tuple[list[tuple[int, Event]], dict[str, CaseState | None]]:
    return list(enumerate(events, 1)), {CASE: fold(events, TOPOLOGY)}


def test_phones_that_cannot_take_a_text_are_named() -> None:
    assert phone_problem(None) == "未登记手机号"
    assert phone_problem("027-87654321") == "登记的号码不是手机号，无法发送短信"
    assert phone_problem("+86 139 1234 5678") is None


def test_an_event_kept_as_a_conflict_calls_for_no_text() -> None:
    received = _received("曾𠮷", "11010519491231002X", "13912345678", {})
    approved_too_early = _event("approved", 2)  # the case was never accepted: a conflict in the fold
    stored, states = _case(received, approved_too_early)
    assert [d.step for d in drafts_for_events(stored, states, TOPOLOGY, CALENDAR)] == ["received"]


def test_every_steps_parameters_are_from_the_safe_vocabulary() -> None:
    assert set(STEP_PARAMS) == {"received", "supplement_requested", "accepted", "decided", "deferred_due", "voided",
                                "rate_invite", "extended", "suspended", "resumed"}
    assert set(STEP_PARAMS) == set(STEPS), "every step a text is drafted for can be given a template"
    assert {"case_no", "item", "name", "url", "materials", "station", "deadline", "result", "place",
                           "due", "days", "reason", "pause", "until"} == SAFE_PARAMS


def test_the_applicant_is_told_of_an_extension_a_pause_and_its_end_with_the_new_deadline() -> None:
    received = _received("曾𠮷", "11010519491231002X", "13912345678", {})
    events = [received, _event("forwarded", 2, VILLAGE), _event("accepted", 3),  # Monday 2026-11-02, 10 wd
              _event("extended", 4, day="2026-11-04", days=5, reason="需入户核查家庭情况"),
              _event("suspended", 5, day="2026-11-05", reason="公示", until="2026-11-12"),
              _event("resumed", 6, day="2026-11-12")]
    stored, states = _case(*events)
    drafts = {d.step: d for d in drafts_for_events(stored, states, TOPOLOGY, CALENDAR)}
    assert set(drafts) == {"received", "accepted", "extended", "suspended", "resumed"}
    # 10 + 5 working days from 2026-11-02, plus the 5 working days of 公示 after 11-05 up to 11-12
    assert drafts["resumed"].params["deadline"] == "2026-11-30"
    assert drafts["extended"].params == {"case_no": "420115102203-20261102-0007-5", "item": "高龄津贴",
                                         "name": "曾*", "days": "5", "deadline": "2026-11-30",
                                         "reason": "需入户核查家庭情况"}
    assert drafts["suspended"].params["pause"] == "公示中" and drafts["suspended"].params["until"] == "2026-11-12"
    for draft in drafts.values():
        assert list(draft.params) == list(STEP_PARAMS[draft.step]) or draft.step == "received"


@settings(max_examples=60, deadline=None)
@given(name=st.text(alphabet="曾欧阳娜𠮷𬱖张三丰李", min_size=2, max_size=5),
       account=st.text(alphabet="0123456789", min_size=8, max_size=12),
       group=st.text(alphabet="农商行光星村三组", min_size=6, max_size=12))
def test_no_text_carries_the_id_number_the_full_name_or_a_form_answer(name: str, account: str, group: str) -> None:
    id_number, answer = "11010519491231002X", "6228" + account
    events = [_received(name, id_number, "13912345678", {"bank_account": answer, "village_group": group}),
              _event("forwarded", 2, VILLAGE), _event("accepted", 3),
              _event("supplement_requested", 4, materials=[{"key": "application_form", "name": "高龄津贴申请表"}]),
              _event("supplemented", 5, VILLAGE, materials=["application_form"]), _event("denied", 6)]
    stored, states = _case(*events)
    drafts = drafts_for_events(stored, states, TOPOLOGY, CALENDAR)
    assert [d.step for d in drafts] == ["received", "accepted", "supplement_requested", "decided"]
    for draft in drafts:
        values = " ".join(draft.params.values())
        assert set(draft.params) <= set(STEP_PARAMS[draft.step])
        assert id_number not in values and name not in values and answer not in values and group not in values
        assert draft.params["name"].endswith("*") and name.startswith(draft.params["name"][:-1])
    assert drafts[-1].params["result"] == "不予批准"
