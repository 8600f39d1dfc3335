"""Who a station's bundle is sealed to, and the keys a station opens bundles with.

A bundle may be opened by the city hall, by the exporting station and by the stations above
it (they import it and relay it). A stick a township or county writes for one station below
(``station bundle export FILE --for CODE``) is sealed to that station and the stations
between as well, and to no other station below: a neighbouring village opens nothing.
Only stations the city hall has enrolled count: the others can neither relay nor have
published a key (the station a stick is written for must be one of them). The keys come from the publications (``station.enckey``); a
station whose key is not known yet is named, every one at once, and nothing is written.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from station.enckey import encryption_private, known_keys, own_encryption_public
from station.errors import BadInput
from station.service import StationService

from .bundle import OpeningKeys, printable
from .sealed_bundle import HUB, Recipient

if TYPE_CHECKING:
    from station.topology import Topology

__all__ = ["bundle_recipients", "below_problems", "opening_keys", "NO_HUB_KEY_TEXT"]

NO_HUB_KEY_TEXT = ("本站还不知道市政务服务中心和上级站点的加密公钥，数据包无法加密："
                   "请先联网同步一次（station sync），再导出数据包")
_LEVEL_WORDS = {"village": "村站", "township": "乡镇站", "county": "县区站", "city": "市级站"}


def bundle_recipients(service: StationService, for_station: str | None = None) -> list[Recipient]:
    """The hub, this station, its enrolled ancestors and, for a stick going down, ``for_station`` and those between."""
    known = known_keys(service.store)
    if not known.heard or not known.hub:
        raise BadInput(NO_HUB_KEY_TEXT)
    code, topology = service.station.code, service.topology
    recipients = [Recipient(HUB, known.hub)]
    own = own_encryption_public(service.store, service.home.root)
    if own:
        recipients.append(Recipient(code, own))
    below = _between(topology, code, for_station) if for_station else []
    problems = [] if for_station is None or for_station in known.stations else [
        f"{_label(topology, for_station)}还没有在市政务服务中心登记（或本站还没有收到它的加密公钥）："
        "请该站登记并联网同步一次后，本站再联网同步一次（station sync），然后再导出数据包"]
    for station in [*topology.ancestors(code), *below]:
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


def below_problems(topology: Topology, code: str, for_station: str) -> list[str]:
    """Why ``for_station`` is not a station below ``code`` (empty when it is)."""
    if for_station not in topology:
        return [f"站点 {printable(for_station)} 不在本站的站点拓扑（stations.toml）里，不是本站 {code} 的下级站点："
                "--for 只能写本站下级站点的 12 位代码"]
    if not topology.is_ancestor(code, for_station):
        return [f"{_label(topology, for_station)}不是本站 {code} 的下级站点：--for 只能写本站下级站点的代码；"
                "往上级送的数据包不用 --for"]
    return []


def _between(topology: Topology, code: str, for_station: str) -> list[str]:
    """``for_station`` and the stations between it and ``code``, nearest to ``code`` last."""
    return [station for station in [for_station, *topology.ancestors(for_station)]
            if topology.is_ancestor(code, station)]


def _label(topology: Topology, code: str) -> str:
    if code not in topology:
        return f"站点 {code} "
    station = topology.get(code)
    return f"{_LEVEL_WORDS.get(station.level, '站点')}{station.name}（{code}）"


def opening_keys(service: StationService) -> OpeningKeys:
    """This station's own key under its code: what it opens bundles sealed to it with."""
    key = encryption_private(service.store)
    return {service.station.code: key} if key is not None else {}
