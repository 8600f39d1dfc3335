from __future__ import annotations

from hypothesis import given, settings, strategies as st

from station.ledger import fold
from station.topology import Topology

from .factory import event, received

VILLAGE, TOWNSHIP, OTHER_VILLAGE = "420115102203", "420115102000", "420115201210"


def full_story() -> list:
    return [
        received(),
        event("forwarded", VILLAGE),
        event("accepted", TOWNSHIP, role="clerk", day="2026-11-03"),
        event("supplement_requested", TOWNSHIP, role="clerk", data={"materials": [{"key": "drawing", "name": "建房图纸"}]},
              day="2026-11-04"),
        event("supplemented", VILLAGE, data={"materials": ["drawing", "minutes"]}, day="2026-11-06"),
        event("approved", VILLAGE, role="agent"),  # a village agent may never approve: a conflict
        event("approved", TOWNSHIP, role="approver", day="2026-11-10"),
        event("delivered", VILLAGE, day="2026-11-11"),
        event("rated", VILLAGE, data={"level": 5}),
        event("noted", OTHER_VILLAGE, data={"note": "not theirs"}),  # cannot see the case: a conflict
    ]


def test_a_whole_case_folds_to_delivered(topology: Topology) -> None:
    state = fold(full_story(), topology)
    assert state is not None
    assert state.status == "delivered"
    assert state.handler == TOWNSHIP and state.handlers == [VILLAGE, TOWNSHIP]
    assert state.accepted_on == "2026-11-03" and state.pauses == [["2026-11-04", "2026-11-06"]]
    assert state.deferred == {} and state.requested == []
    assert [c["kind"] for c in state.conflicts] == ["approved", "noted"]
    assert "代办员无权" in state.conflicts[0]["reason"]
    assert len(state.timeline) == 10  # conflicts stay in the timeline
    assert state.ratings[0]["level"] == 5


@settings(max_examples=200, deadline=None)
@given(st.permutations(list(range(10))), st.lists(st.integers(0, 9), max_size=4))
def test_any_delivery_order_and_duplicates_give_the_same_state(order: list[int], repeats: list[int]) -> None:
    from station.topology import Topology as T
    from tests.support.demo import DEMO_TOPOLOGY_FILE

    topology = T.load(DEMO_TOPOLOGY_FILE)
    story = full_story()
    expected = vars(fold(story, topology))
    shuffled = [story[i] for i in order] + [story[i] for i in repeats]
    assert vars(fold(shuffled, topology)) == expected


def test_events_before_the_case_exists_wait_for_it(topology: Topology) -> None:
    first, forwarded = received(), event("forwarded", VILLAGE)
    assert fold([forwarded], topology) is None
    assert fold([forwarded, first], topology).status == "submitted"


def test_township_filing_its_own_item_is_accepted_at_once(topology: Topology) -> None:
    state = fold([received(station=TOWNSHIP)], topology)
    assert state.status == "accepted" and state.accepted_on == "2026-11-02"


def test_voiding_needs_deferred_materials_past_due(topology: Topology) -> None:
    first = received()
    early = event("voided", VILLAGE, data={"due": "2026-11-09"}, day="2026-11-05")
    late = event("voided", VILLAGE, data={"due": "2026-11-09"}, day="2026-11-10")
    state = fold([first, early, late], topology)
    assert state.status == "voided"
    assert [c["event"] for c in state.conflicts] == [early.id]


def test_escalation_moves_the_case_up_one_level(topology: Topology) -> None:
    story = [received(), event("forwarded", VILLAGE), event("accepted", TOWNSHIP, role="clerk"),
             event("escalated", TOWNSHIP, role="clerk")]
    state = fold(story, topology)
    assert state.status == "submitted" and state.handler == "420115000000"


def test_citizen_rates_only_through_the_city_hall_once_decided(topology: Topology) -> None:
    hall = topology.cityhall.code
    opening = [received(deferred=False), event("forwarded", VILLAGE), event("accepted", TOWNSHIP, role="clerk")]
    early = event("rated", hall, actor="citizen", role="", data={"level": 1})
    story = [*opening, early,
             event("denied", TOWNSHIP, role="approver", data={"reason": "不符合条件"}),
             event("rated", hall, actor="citizen", role="", data={"level": 2, "comment": "太慢"})]
    state = fold(story, topology)
    assert state.status == "denied" and [r["level"] for r in state.ratings] == [2]
    assert state.conflicts[0]["event"] == early.id


def _with(event_, **changes):  # noqa: ANN001, ANN202 - an Event with some fields replaced
    return type(event_)(**(event_.to_dict() | changes))


@settings(max_examples=200, deadline=None)
@given(st.permutations(list(range(14))), st.lists(st.integers(0, 13), max_size=4))
def test_clock_ties_and_another_stations_equal_ids_give_one_state_in_any_order(order: list[int],
                                                                                repeats: list[int]) -> None:
    """Events with equal hlc, and another station's events reusing a village's ids, fold the same
    whatever order they arrive in, and the village's own events are never shadowed."""
    from station.topology import Topology as T
    from tests.support.demo import DEMO_TOPOLOGY_FILE

    topology = T.load(DEMO_TOPOLOGY_FILE)
    story = full_story()
    tie = _with(story[8], id="01TIE00000000000000000000A", data={"level": 4})  # same hlc as the rating
    copycats = [_with(story[1], station=OTHER_VILLAGE, kind="noted", data={"note": "copy"}),  # the forward's id
                _with(story[8], station=OTHER_VILLAGE, data={"level": 1})]  # the rating's id, other content
    everything = story + [tie] + copycats + [_with(story[0], station=OTHER_VILLAGE)]  # a received for the case
    expected = vars(fold(everything, topology))
    assert expected["handler"] == TOWNSHIP and expected["origin"] == VILLAGE
    assert [r["level"] for r in expected["ratings"]] == [5, 4] or [r["level"] for r in expected["ratings"]] == [4, 5]
    shuffled = [everything[i] for i in order] + [everything[i] for i in repeats]
    assert vars(fold(shuffled, topology)) == expected


def test_a_received_for_another_stations_case_number_never_takes_the_case(topology: Topology) -> None:
    story = full_story()
    forged = _with(received(station=OTHER_VILLAGE, case=story[0].case), hlc="0000000000001.00000")
    state = fold([forged, *story], topology)
    assert state is not None and state.origin == VILLAGE and state.applicant == story[0].data["applicant"]
    assert state.status == "delivered" and forged.id not in {entry["id"] for entry in state.timeline}
