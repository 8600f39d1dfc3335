"""The typed case view and the citizen's page give the JSON keys they always gave (DESIGN §7:
keys may be added, never removed): one list of them here, checked against ``to_json()``."""
from __future__ import annotations

import json

from cityhall.tracking import track_view
from station.service import StationService
from tests.station.helpers import allowance_request, sign_in

CASE_KEYS = {
    "case_no", "case_no_display", "status", "status_label", "item", "item_name", "item_version", "origin",
    "origin_name", "handler", "handler_name", "applicant", "fields", "materials", "outstanding_materials",
    "received_on", "accepted_on", "decided_on", "deadline", "deadline_note", "deadline_note_zh", "warning",
    "supplement_due", "supplement_due_note", "timeline", "conflicts", "ratings", "callbacks", "notes",
    "attachments", "tracking_url", "notices", "legal_deadline", "legal_deadline_note_zh", "promised_warning",
    "legal_warning", "clock_started_on", "deemed_accepted", "acceptance", "extension", "pauses", "paused",
}
TIMELINE_KEYS = {"id", "kind", "label", "at", "station", "actor", "role", "hlc", "data", "conflict", "station_name"}
MATERIAL_KEYS = {"key", "name", "required", "deferrable", "defer_days", "status"}
TRACK_KEYS = {
    "legal_deadline", "legal_overdue", "deemed_accepted", "deemed_from", "extension", "pauses", "paused", "case_no",
    "case_no_display", "item", "item_code", "applicant", "status", "status_label", "deadline", "deadline_note",
    "overdue", "outstanding_materials", "supplement_due", "timeline", "can_rate", "rating",
}


def test_station_case_json_keeps_every_key(village: StationService) -> None:
    agent = sign_in(village, "A01", "1234")
    case_no = village.intake(agent, allowance_request(phone=None))["case_no"]
    village.act(agent, case_no, "noted", reason="来电询问")

    shown = json.loads(json.dumps(village.case_view(case_no).to_json(), ensure_ascii=False))

    assert set(shown) == CASE_KEYS
    assert [set(entry) for entry in shown["timeline"]] == [TIMELINE_KEYS, TIMELINE_KEYS]
    assert all(set(material) == MATERIAL_KEYS for material in shown["materials"])
    assert shown["applicant"] == {"id_number": "11010519491231002X", "name": "曾𠮷", "phone": None}
    assert [set(note) for note in shown["notes"]] == [{"note", "by", "station", "at"}]
    assert shown["notes"][0]["note"] == "来电询问" and shown["timeline"][1]["kind"] == "noted"
    assert shown["extension"] is None and shown["pauses"] == [] and shown["deemed_accepted"] is False


def test_the_citizens_page_keeps_every_key(village: StationService) -> None:
    agent = sign_in(village, "A01", "1234")
    case_no = village.intake(agent, allowance_request())["case_no"]
    state = village.case(case_no)

    page = track_view(state, village.topology, village.calendar, village.today()).to_json()

    assert set(page) == TRACK_KEYS
    assert page["applicant"] == "曾*" and page["timeline"][0] == {
        "kind": "received", "label": "收件", "date": state.received_on, "station": village.station.name}
