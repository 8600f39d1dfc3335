"""Who a station's bundle is sealed to, and the keys a station opens bundles with.

A bundle may be opened by the city hall, by the stations above the origin (they import it
and relay it), and, for what a township carries down to its villages, by the stations
below that see those cases (each case's origin and the stations between it and the
exporter). Only stations the city hall has enrolled count: the others can neither relay
nor have published a key. The keys come from the publications (``station.enckey``); a
station whose key is not known yet is named, every one at once, and nothing is written.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from station.enckey import encryption_private, encryption_public, known_keys
from station.errors import BadInput
from station.ledger import Event
from station.service import StationService

from .bundle import OpeningKeys
from .sealed_bundle import HUB, Recipient

if TYPE_CHECKING:
    from station.topology import Topology

__all__ = ["bundle_recipients", "opening_keys", "NO_HUB_KEY_TEXT"]

NO_HUB_KEY_TEXT = ("本站还不知道市政务服务中心和上级站点的加密公钥，数据包无法加密："
                   "请先联网同步一次（station sync），再导出数据包")
_LEVEL_WORDS = {"village": "村站", "township": "乡镇站", "county": "县区站", "city": "市级站"}


def bundle_recipients(service: StationService, carried_down: list[Event]) -> list[Recipient]:
    """The hub, this station, its enrolled ancestors and the stations below that the carried-down events concern."""
    known = known_keys(service.store)
    if not known.heard or not known.hub:
        raise BadInput(NO_HUB_KEY_TEXT)
    code, topology = service.station.code, service.topology
    recipients = [Recipient(HUB, known.hub)]
    own = encryption_public(service.home.root)
    if own:
        recipients.append(Recipient(code, own))
    problems = []
    for station in [*topology.ancestors(code), *_below(topology, code, carried_down)]:
        if station not in known.stations:
            continue  # not enrolled at the city hall: it can neither relay nor open anything
        key = known.stations[station]
        if key:
            recipients.append(Recipient(station, key))
        else:
            problems.append(f"{_label(topology, station)}还没有公布加密公钥：请该站联网同步一次后，"
                            "本站再联网同步一次（station sync），然后再导出数据包")
    if problems:
        raise BadInput(*problems)
    return recipients


def _below(topology: Topology, code: str, events: list[Event]) -> list[str]:
    """The stations under ``code`` that see these events' cases: each origin and the stations between."""
    found: list[str] = []
    for origin in sorted({event.case[:12] for event in events}):
        for station in [origin, *topology.ancestors(origin)] if origin in topology else []:
            if topology.is_ancestor(code, station) and station not in found:
                found.append(station)
    return found


def _label(topology: Topology, code: str) -> str:
    if code not in topology:
        return f"站点 {code} "
    station = topology.get(code)
    return f"{_LEVEL_WORDS.get(station.level, '站点')}{station.name}（{code}）"


def opening_keys(service: StationService) -> OpeningKeys:
    """This station's own key under its code: what it opens bundles sealed to it with."""
    key = encryption_private(service.store)
    return {service.station.code: key} if key is not None else {}
