"""The station tree read from ``stations.toml``: every code in it, the city hall's too, is a station code."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from station.topology import Topology, TopologyError

DEMO = tomllib.loads((Path(__file__).resolve().parents[2] / "stations.toml").read_text(encoding="utf-8"))


def test_the_demo_tree_is_read_with_its_city_halls_code() -> None:
    assert Topology.from_dict(DEMO).cityhall.code == "420100000000"


@pytest.mark.parametrize("code", ["4201 0000000", "42010000000", "４２０１００００００００", "", 420100000000])
def test_a_city_hall_code_that_is_not_12_digits_is_refused_with_what_it_got(code: object) -> None:
    with pytest.raises(TopologyError) as refused:
        Topology.from_dict({**DEMO, "cityhall": {**DEMO["cityhall"], "code": code}})
    assert f"[cityhall] code must be 12 digits, got {code!r}" in str(refused.value)
