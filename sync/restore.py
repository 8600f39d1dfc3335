"""``station restore``: a new PC takes over a lost station's history from the city hall.

After ``station init`` on the new PC and ``cityhall enroll`` of its new key (the old one
revoked), the station pages through ``GET /api/v1/sync/restore`` and stores:

- every event the hub holds of the cases this station can see, folded into cases by the
  same ledger as always (``StationService.project_cases``);
- its own events as its own, already pushed (the hub holds them: nothing goes up twice);
- its hash chain's head: the digest of the last link the hub holds, so the next event
  continues the chain without a break and ``cityhall verify`` stays intact;
- its pull cursor, so the next ``station sync`` pulls only what is newer;
- its daily serials: past every case number the hub knows, and on the days the lost PC
  may have filed cases the hub never saw (from the day of its last event the hub holds
  to today) past them by ``RESTORE_SERIAL_GAP``, so no number on a paper receipt can be
  issued twice.

Events the dead PC never pushed are gone; the report names the last one the hub holds.
Running it again is harmless: every event is deduplicated by id.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from functools import partial
from typing import Any

from station.errors import BadInput, NotAllowed, StationError
from station.home import CHINA_TZ
from station.ledger import KIND_LABELS, Event, EventFormatError, HybridClock
from station.ledger.caseno import case_date
from station.ledger.hlc import parse_hlc
from station.service import StationService

from .client import CURSOR_META
from .session import HubSession
from .wire import columns_to_dicts

__all__ = ["RestoreReport", "restore_from_hub", "RESTORE_SERIAL_GAP", "serial_floors", "lost_window"]

RESTORE_SERIAL_GAP = 1000
"""Serials skipped on the days the lost PC may have filed unsynced cases: far more than a station files in a day."""
PAGE = 2000
_log = logging.getLogger(__name__)
_UNREACHABLE = "连不上市政务服务中心（{url}）：{problem}。本机数据没有改动，联网后请再运行 station restore"


@dataclass
class RestoreReport:
    cases: int = 0
    """Cases this station holds after the restore."""
    events: int = 0
    """Events the hub sent (the station's own and those of the cases it can see)."""
    own_events: int = 0
    new_events: int = 0
    """Of those, events this station did not hold yet."""
    last_serial: dict[str, int] = field(default_factory=dict)
    """Per day (``YYYY-MM-DD``), the highest daily serial of this station the hub knows."""
    next_serial: dict[str, int] = field(default_factory=dict)
    """Per day at risk (the lost PC may have filed cases the hub never saw), the serial the next case gets."""
    last_event: dict[str, Any] | None = None
    """The last of this station's events the hub held: ``event_id``, ``case_no``, ``kind``, ``at``."""
    lost: str = ""
    """In plain words: what could not come back."""
    skipped: int = 0
    """Events the hub sent that break the ledger's contract (logged, not stored)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def restore_from_hub(service: StationService, base_url: str | None = None, give_up_after: float = 30.0,
                     transport: Any = None) -> RestoreReport:
    report = RestoreReport()
    with HubSession(service, base_url, refusal=_refusal, unreachable=_UNREACHABLE, transport=transport,
                    give_up_after=give_up_after) as session:
        session.start_round()
        standing = _fetch_all(service, session, report)
    _settle(service, standing, report)
    return report


def _fetch_all(service: StationService, session: HubSession, report: RestoreReport) -> dict[str, Any]:
    cursor, standing = 0, {}
    while True:
        path = f"/api/v1/sync/restore?after={cursor}&limit={PAGE}"
        page = session.retrying(partial(_get_json, session, path))
        if cursor == 0:
            standing = {k: page.get(k) for k in ("feed_cursor", "chain_tip", "case_numbers")}
        events = _checked(columns_to_dicts(page["events"]), report)
        _store_page(service, events, report)
        cursor = int(page["cursor"])
        if not page["more"]:
            return standing


def _get_json(session: HubSession, path: str) -> Any:
    return session.signed("GET", path).json()


def _checked(rows: list[dict[str, Any]], report: RestoreReport) -> list[Event]:
    """Events that keep the ledger's contract; one that does not is logged and counted, as a pull does."""
    events = []
    for raw in rows:
        try:
            events.append(Event.from_dict(raw))
        except EventFormatError as exc:
            report.skipped += 1
            _log.warning("restored event %r breaks the event contract, skipped: %s", str(raw.get("id"))[:64], exc)
    return events


def _store_page(service: StationService, events: list[Event], report: RestoreReport) -> None:
    """One page in one transaction: own events as recorded here and already pushed, cases folded again."""
    store, code = service.store, service.station.code
    touched: set[str] = set()
    with store.write():
        clock = HybridClock.restore(store.get_meta("hlc"))
        now_ms = int(service.now().timestamp() * 1000)
        for event in events:
            own = event.station == code
            if store.insert_event(event, recorded_here=own):
                report.new_events += 1
                touched.add(event.case)
            if own:
                report.own_events += 1
                # the hub holds it: never send it again (a copy restored from a backup may still say pending)
                store.conn.execute("UPDATE outbox SET state = 'pushed', updated_at = ? "
                                   "WHERE event_id = ? AND state != 'pushed'", [_utc_now(), event.id])
                _remember_applicant(service, event)
            clock.observe(event.hlc, now_ms)
        store.set_meta("hlc", clock.current())
        service.project_cases(touched)
    report.events += len(events)


def _remember_applicant(service: StationService, event: Event) -> None:
    """The station's own citizens come back to its lookup (by ID number, by name and pinyin)."""
    applicant = event.data.get("applicant") if event.kind == "received" else None
    if isinstance(applicant, dict) and applicant.get("id_number") and applicant.get("name"):
        phone = applicant.get("phone")
        service.store.remember_citizen(str(applicant["id_number"]), str(applicant["name"]),
                                       phone if isinstance(phone, str) and phone else None)


def _settle(service: StationService, standing: dict[str, Any], report: RestoreReport) -> None:
    """Chain head, clock, pull cursor and serials, in one transaction after every event is in."""
    store = service.store
    tip = standing.get("chain_tip")
    with store.write():
        if tip:
            _continue_chain(service, tip)
        cursor = int(store.get_meta(CURSOR_META, "0") or 0)
        store.set_meta(CURSOR_META, str(max(cursor, int(standing.get("feed_cursor") or 0))))
        known = _known_serials(service, standing.get("case_numbers") or [])
        floors = serial_floors(known, lost_window(_latest_own_hlc(service, tip), service.today()))
        _raise_serials(service, known, floors)
    report.cases = store.case_count()
    report.last_serial = dict(sorted(known.items()))
    report.next_serial = dict(sorted(floors.items()))
    report.last_event = _last_event(tip)
    report.lost = _lost_text(report.last_event)


def _continue_chain(service: StationService, tip: dict[str, Any]) -> None:
    """The next event names the hub's last link, unless this PC holds a later one of its own (a backup)."""
    store = service.store
    rows = store.conn.execute("SELECT hlc, id FROM events WHERE recorded_here = 1 AND station = ? "
                              "ORDER BY hlc DESC, id DESC LIMIT 1", [service.station.code]).fetchall()
    if not rows or (tip["hlc"], tip["event_id"]) >= (rows[0][0], rows[0][1]):
        store.set_meta("chain_head", tip["digest"])
    clock = HybridClock.restore(store.get_meta("hlc"))
    clock.observe(tip["hlc"], int(service.now().timestamp() * 1000))
    store.set_meta("hlc", clock.current())


def _known_serials(service: StationService, hub_numbers: list[str]) -> dict[str, int]:
    """The highest serial per day among the hub's case numbers and this PC's own cases."""
    code = service.station.code
    numbers = set(hub_numbers) | {row[0] for row in service.store.conn.execute(
        "SELECT case_no FROM cases WHERE origin = ?", [code])}
    known: dict[str, int] = {}
    for number in numbers:
        if len(number) == 25 and number.startswith(code):
            day = case_date(number).isoformat()
            known[day] = max(known.get(day, 0), int(number[20:24]))
    # the serial counters are left out: a case row is written with every serial issued, and a
    # counter an earlier restore raised is no case (counting it would skip ahead again each time)
    return known


def _latest_own_hlc(service: StationService, tip: dict[str, Any] | None) -> str | None:
    """The clock of the last own event known anywhere: the hub's last link, or a later one from a backup."""
    row = service.store.conn.execute("SELECT max(hlc) FROM events WHERE recorded_here = 1 AND station = ?",
                                     [service.station.code]).fetchone()
    candidates = [hlc for hlc in (row[0] if row else None, tip["hlc"] if tip else None) if hlc]
    return max(candidates) if candidates else None


def lost_window(latest_own_hlc: str | None, today: date) -> list[date]:
    """Days on which the lost PC may have filed cases nobody kept: the day of its last known event to today.

    Every day before it is complete: the outbox sends events in the order they were
    recorded, so the hub (or the backup) holds all that came before its last one.
    """
    start = today
    if latest_own_hlc:
        physical_ms, _ = parse_hlc(latest_own_hlc)
        start = min(datetime.fromtimestamp(physical_ms / 1000, CHINA_TZ).date(), today)
    days, day = [], start
    while day <= today:
        days.append(day)
        day = date.fromordinal(day.toordinal() + 1)
    return days


def serial_floors(known: dict[str, int], window: list[date]) -> dict[str, int]:
    """The next serial on each day at risk: past what the hub knows by the gap, within the 4 digits."""
    floors = {}
    for day in window:
        last = known.get(day.isoformat(), 0)
        floors[day.isoformat()] = min(last + RESTORE_SERIAL_GAP, 9999) if last < 9999 else 9999
    return floors


def _raise_serials(service: StationService, known: dict[str, int], floors: dict[str, int]) -> None:
    """Serial counters only ever go up: ``last`` is the serial the next case goes past."""
    targets = dict(known)
    for day, next_serial in floors.items():
        targets[day] = max(targets.get(day, 0), next_serial - 1)
    service.store.conn.executemany(
        "INSERT INTO daily_serials (day, last) VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET last = max(last, excluded.last)",
        sorted(targets.items()))


def _last_event(tip: dict[str, Any] | None) -> dict[str, Any] | None:
    if not tip:
        return None
    return {"event_id": tip["event_id"], "case_no": tip.get("case_no"), "kind": tip.get("kind"),
            "at": tip.get("at"), "held": bool(tip.get("held", False))}


def _lost_text(last: dict[str, Any] | None) -> str:
    if last is None:
        return "市政务服务中心没有本站上传过的任何记录：旧电脑上的办件都没有上传，已无法从市里找回。"
    if last["held"]:
        what = f"案件 {last['case_no']} 的“{KIND_LABELS.get(last['kind'], last['kind'])}”（{str(last['at'])[:16].replace('T', ' ')}）"
    else:
        what = f"编号 {last['event_id']} 的记录（市政务服务中心当时退回了它，只留下了它的校验值）"
    return (f"市政务服务中心保存的本站最后一条记录是{what}。旧电脑在这之后记录、没有上传的办件和操作已无法找回，"
            "请按群众手中的纸质回执核对后重新受理。")


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _refusal(status: int, reason: str) -> StationError:
    if status == 401:
        return NotAllowed(f"市政务服务中心不认可本机的签名：{reason}。请先在市里吊销旧电脑的密钥（cityhall revoke 站点代码），"
                          "再登记本机的公钥（cityhall enroll 站点代码 公钥），然后重新运行 station restore")
    if status == 403:
        return NotAllowed(f"市政务服务中心拒绝了本站的恢复请求：{reason}")
    if status == 404:
        return BadInput("市政务服务中心的版本太旧，还不支持恢复（没有 /api/v1/sync/restore），请联系市里升级")
    return BadInput(f"市政务服务中心无法处理恢复请求（HTTP {status}）：{reason}")
