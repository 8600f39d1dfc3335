"""The demo county of stations.toml: the codes tests use, in one place."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO_TOPOLOGY_FILE = ROOT / "stations.toml"
VILLAGE = "420115102203"
VILLAGE_2 = "420115102204"
TOWNSHIP = "420115102000"
OTHER_TOWNSHIP = "420115201000"
OTHER_VILLAGE = "420115201210"
COUNTY = "420115000000"
CITY = "420100000000"
