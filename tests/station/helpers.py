"""Helpers for station tests: a settable clock, homes, a valid intake request."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from forms import builtin_catalogue
from station.home import StationHome
from station.service import IntakeRequest, Operator, StationService, init_station
from tests.support.demo import DEMO_TOPOLOGY_FILE

ALLOWANCE = "420115GF0004"
"""高龄津贴: decided at the township, not instant, agent may file, deferrable bank_card_copy."""


Cast = dict[str, tuple[tuple[str, str, str, str], ...]]
"""Per station code: each operator's (id, name, role, PIN)."""


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def make_service(tmp_path: Path, code: str, clock: Callable[[], datetime]) -> StationService:
    home = StationHome(tmp_path / code)
    init_station(home, code, DEMO_TOPOLOGY_FILE)
    return StationService(home, clock=clock)


def example_fields(item_code: str) -> dict[str, str]:
    item = builtin_catalogue().get(item_code)
    return {f.key: f.example for f in item.fields if f.required}


def allowance_request(**overrides: object) -> IntakeRequest:
    request = IntakeRequest(
        item_code=ALLOWANCE, applicant_id="11010519491231002X", applicant_name="曾𠮷", phone="13812345678",
        fields=example_fields(ALLOWANCE), received=["id_and_hukou", "application_form"],
        deferred=["bank_card_copy"],
    )
    return request._replace(**overrides)


def sign_in(service: StationService, agent: str, pin: str) -> Operator:
    return service.sign_in(agent, pin)
