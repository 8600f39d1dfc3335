"""What a station does, below any UI: the command line and the terminal app both call this.

Every write goes through ``_record``: events are appended, the cases they touch are
folded again and their projection saved, all in one durable transaction.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from station.enckey import encryption_public, ensure_encryption_key
from station.errors import BadInput, NotAllowed, NotFound
from station.home import CHINA_TZ, StationConfig, StationHome
from station.ledger import (
    EventFormatError, OPEN_STATUSES, ROLES, STATUS_LABELS, CaseState, Event, InvalidCaseNo, fold,
    make_case_no, new_event_id, normalise_case_no, step_problem,
)
from station.pins import MAX_FAILURES, hash_pin, locked_until_after_failure, pin_problem, verify_pin
from station.topology import Topology, TopologyError, station_name

__all__ = ["StationService", "Operator", "IntakeRequest", "init_station"]

if TYPE_CHECKING:  # the catalogue, store, keys, deadlines and views load where a method uses them
    from forms import Catalogue, ServiceItem
    from station.datakey import KeyRing
    from station.lockbox import Credentials
    from station.store import CaseQuery, StationStore
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from station.receipts import ReceiptData
    from station.views import CaseView
    from station.work_queue import WorkQueue

Clock = Callable[[], datetime]
_OPEN = tuple(sorted(OPEN_STATUSES))


def _china_now() -> datetime:
    return datetime.now(CHINA_TZ)


class Operator(NamedTuple):
    id: str
    name: str
    role: str


class IntakeRequest(NamedTuple):
    item_code: str
    applicant_id: str
    applicant_name: str
    phone: str | None = None
    fields: Mapping[str, str] = MappingProxyType({})
    received: Sequence[str] = ()
    deferred: Sequence[str] = ()
    authorised: bool = True
    """The citizen signed the authorisation for the agent to file (委托书)."""
    sms_opt_out: bool = False
    """The citizen asked for no text messages about the case (recorded in the ``received`` event)."""


def init_station(home: StationHome, station_code: str, topology_file: Path) -> dict[str, str]:
    """Make a station's home: config, topology copy, key pair and an empty store."""
    try:
        topology = Topology.load(topology_file)
    except TopologyError as exc:
        raise BadInput(f"站点配置文件有误：{exc}") from exc
    if station_code not in topology:
        raise BadInput(f"站点代码“{station_code}”不在 {topology_file.name} 中，请核对")
    if home.exists:
        raise BadInput(f"{home.root} 已经初始化过站点，不能重复初始化")
    home.root.mkdir(parents=True, exist_ok=True)
    import shutil  # only to make a home

    shutil.copyfile(topology_file, home.topology_file)
    home.config_file.write_text(StationConfig(station=station_code).dump(), encoding="utf-8")
    from station.keys import generate_key, public_key_text  # cryptography loads only where keys are used

    from station.recovery import new_recovery_key, recovery_key_text, write_public

    key = generate_key(home.key_file)
    recovery = new_recovery_key()  # only its public half stays on this PC
    write_public(home.root, recovery)
    from station.lockbox import settle
    from station.store import StationStore

    StationStore(home.database).close()

    ring = settle(home)  # encrypted at once; its key stands in the open until the first operator is added
    _make_encryption_key(home, bytes.fromhex(ring.open_key or ""))
    station = topology.get(station_code)
    return {"station": station.code, "name": station.name, "level": station.level, "public_key": public_key_text(key),
            "recovery_key": recovery_key_text(recovery), "encryption_key": encryption_public(home.root) or ""}


def _make_encryption_key(home: StationHome, data_key: bytes) -> None:
    """The bundles' key pair: its private half inside the (still empty) encrypted store."""
    from station.store import StationStore

    store = StationStore(home.database, data_key)
    try:
        ensure_encryption_key(store, home.root)
    finally:
        store.close()


def _refuse_if_locked(agent_id: str, locked_until: str | None, now: datetime) -> None:
    if locked_until and datetime.fromisoformat(locked_until) > now:
        raise NotAllowed(f"操作员 {agent_id} 连续输错密码，已锁定到 {locked_until[11:16]}，请稍后再试或联系管理员")


def _wrong_pin_text(failures: int) -> str:
    left = max(MAX_FAILURES - failures, 0)
    return f"密码不对（还可再试 {left} 次）" if left else "密码不对，操作员已被锁定 15 分钟"


class StationService:
    def __init__(self, home: StationHome, clock: Clock = _china_now, credentials: Credentials | None = None) -> None:
        """``credentials`` unlock the store when it is first needed (the app unlocks it at sign-in instead)."""
        from station.lockbox import Credentials

        home.require()
        self.home = home
        self.clock = clock
        self.config = StationConfig.load(home.config_file, home.cache_dir / "station.toml.pickle")
        self.topology = Topology.load(home.topology_file, home.cache_dir / "stations.toml.pickle")
        self.station = self.topology.get(self.config.station)
        self.credentials = credentials or Credentials()
        self._store: StationStore | None = None
        self._data_key: bytes | None = None
        self._opening = threading.Lock()
        self.calendar = home.calendar()

    # -- the encrypted store ----------------------------------------------------------

    @property
    def store(self) -> StationStore:
        """The store, unlocked with the service's credentials on first use (:class:`StoreLocked` if they do not)."""
        if self._store is None:
            self.unlock(self.credentials)
        assert self._store is not None
        return self._store

    @property
    def unlocked(self) -> bool:
        return self._store is not None

    def store_key(self) -> bytes | None:
        """The store's data key, unlocking it first (for a backup of it)."""
        _ = self.store
        return self._data_key

    def data_key(self) -> bytes | None:
        """The key the store is open with (None while locked): for readers with their own connection."""
        return self._data_key

    def unlock(self, credentials: Credentials) -> None:
        from station.lockbox import settle, unlock
        from station.store import StationStore

        with self._opening:
            if self._store is None and credentials.plain:
                self._store = StationStore(self.home.database, None)
                self._seal_plain_files()
            if self._store is None:
                ring = settle(self.home)
                key = unlock(ring, credentials)
                self._store, self._data_key = StationStore(self.home.database, key), key
                self._keep_wraps(ring)
                self._seal_plain_files()

    def _seal_plain_files(self) -> None:
        """Attachment files an older version left plain are sealed at the first unlock (once);
        a home made before bundles were encrypted gets its encryption key pair then too."""
        from station.sealed_files import seal_plain_files

        assert self._store is not None
        seal_plain_files(self._store, self.home.attachments_dir)
        ensure_encryption_key(self._store, self.home.root)

    def _keep_wraps(self, ring: KeyRing) -> None:
        """A wrap for every operator and a seal to the current recovery key; a key that stood
        in the open is replaced as soon as an operator exists."""
        from station.lockbox import move_to_new_key, reconcile, recovery_recipient, save_if_changed
        from station.store import StationStore, connect_store

        assert self._store is not None and self._data_key is not None
        hashes = self._store.pin_hashes()
        if ring.open_key and hashes:
            self._store.close()
            ring, key = move_to_new_key(self.home, connect_store(self.home.database, self._data_key), hashes)
            self._store, self._data_key = StationStore(self.home.database, key), key
        save_if_changed(self.home, ring, reconcile(ring, self._data_key, hashes, recovery_recipient(self.home)))

    @cached_property
    def catalogue(self) -> Catalogue:
        """The item catalogue (:meth:`StationHome.catalogue`), read on first use: a command that
        only reads cases never needs it."""
        return self.home.catalogue()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    # -- time ---------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock().astimezone(CHINA_TZ)

    def today(self) -> date:
        return self.now().date()

    # -- operators ----------------------------------------------------------------

    def add_agent(self, agent_id: str, name: str, role: str, pin: str | None) -> Operator:
        problems = []
        if not agent_id.strip() or len(agent_id) > 32:
            problems.append("工号不能为空，最长 32 个字符")
        if not name.strip():
            problems.append("姓名不能为空")
        if role not in ROLES:
            problems.append(f"角色“{role}”不对，应为 {', '.join(ROLES)} 之一")
        problems.append(pin_problem(pin) or "")
        if any(problems):
            raise BadInput(*problems)
        assert pin is not None
        self.store.add_agent(agent_id.strip(), name.strip(), role, hash_pin(pin))
        self.keep_wraps()
        return Operator(agent_id.strip(), name.strip(), role)

    def keep_wraps(self) -> None:
        """After operators changed (added, or merged from a backup): their wraps, and a new key if it stood open."""
        from station.lockbox import settle

        with self._opening:
            if self._data_key is not None:
                self._keep_wraps(settle(self.home))

    def sign_in(self, agent_id: str, pin: str | None) -> Operator:
        verified = False
        if self._store is None:  # signing in is what unlocks the store: that operator's wrap must open
            self._unlock_as(agent_id, pin)
            verified = True
        row = self.store.agent(agent_id)
        if row is None:
            raise NotAllowed(f"没有工号为“{agent_id}”的操作员")
        now = self.now()
        _refuse_if_locked(agent_id, row["locked_until"], now)
        if not verified and (not pin or not verify_pin(pin, row["pin_hash"])):
            failures = int(row["failed_attempts"]) + 1
            self.store.record_sign_in(row["id"], failures, locked_until_after_failure(failures, now))
            raise NotAllowed(_wrong_pin_text(failures))
        self.store.record_sign_in(row["id"], 0, None)
        return Operator(row["id"], row["name"], row["role"])

    def _unlock_as(self, agent_id: str, pin: str | None) -> None:
        """Unlock with this operator's PIN (the app's sign-in, an acting command's --agent)."""
        from station.lockbox import settle
        from station.store import StationStore

        with self._opening:
            if self._store is None:
                ring = settle(self.home)
                key = bytes.fromhex(ring.open_key) if ring.open_key else self._unwrap_counted(ring, agent_id, pin)
                self._store, self._data_key = StationStore(self.home.database, key), key
                self._keep_wraps(ring)
                self._seal_plain_files()

    def _unwrap_counted(self, ring: KeyRing, agent_id: str, pin: str | None) -> bytes:
        """That operator's wrap opened with ``pin``; failures count in the keys file (the store is shut)."""
        from station.datakey import write_ring
        from station.lockbox import KEYS_FILE

        ring_id = ring.ring_id(agent_id)
        if ring_id not in ring.operators:
            raise NotAllowed(f"没有工号为“{agent_id}”的操作员")
        counter = ring.sign_in.pop(ring_id, {})
        _refuse_if_locked(agent_id, counter.get("locked_until"), self.now())
        key = ring.unwrap_pin(pin, [ring_id], self.credentials.digests) if pin else None
        failures = 0 if key else int(counter.get("failures", 0)) + 1
        if key is None:
            ring.sign_in[ring_id] = {"failures": failures,
                                     "locked_until": locked_until_after_failure(failures, self.now())}
        if key is None or counter:
            write_ring(self.home.root / KEYS_FILE, ring)
        if key is None:
            raise NotAllowed(_wrong_pin_text(failures))
        return key

    # -- recording ----------------------------------------------------------------

    def _new_event(self, case_no: str, kind: str, operator: Operator | None, data: dict[str, Any]) -> Event:
        """An event stamped now; call inside the write transaction that records it."""
        from station.ledger.hlc import HybridClock  # the clock loads for a write, not for a read

        now = self.now()
        clock = HybridClock.restore(self.store.get_meta("hlc"))
        hlc = clock.tick(int(now.timestamp() * 1000))
        self.store.set_meta("hlc", hlc)
        return Event(
            id=new_event_id(), case=case_no, kind=kind, hlc=hlc, at=now.isoformat(timespec="seconds"),
            station=self.station.code, actor=operator.id if operator else "system",
            role=operator.role if operator else "", data=data, prev=self.store.get_meta("chain_head", "") or "",
        )

    def _record_local(self, event: Event) -> None:
        from station.ledger.contract import check_contract  # msgspec loads only for a write

        try:  # the station's own events keep the contract the hub and other stations check
            check_contract(event)
        except EventFormatError as exc:
            raise BadInput(f"这条记录的内容不合规范，未保存：{exc}") from exc
        self.store.insert_event(event, recorded_here=True)
        self.store.set_meta("chain_head", event.digest())
        self._project(event.case)

    def apply_events(self, events: Iterable[Event]) -> int:
        """Store events that came from elsewhere (pull, bundle); returns how many were new."""
        from station.ledger.hlc import HybridClock

        new, touched = 0, set()
        with self.store.write():
            clock = HybridClock.restore(self.store.get_meta("hlc"))
            for event in events:
                if self.store.insert_event(event, recorded_here=False):
                    new += 1
                    touched.add(event.case)
                    clock.observe(event.hlc, int(self.now().timestamp() * 1000))
            self.store.set_meta("hlc", clock.current())
            for case_no in touched:
                self._project(case_no)
        return new

    def project_cases(self, case_nos: Iterable[str]) -> None:
        """Fold these cases again from their stored events (inside the caller's transaction)."""
        for case_no in case_nos:
            self._project(case_no)

    def _project(self, case_no: str) -> CaseState | None:
        from station.deadlines import case_deadline, supplement_due

        state = fold(self.store.case_events(case_no), self.topology)
        if state is not None:
            self.store.save_case(state, case_deadline(state, self.calendar, self.today()).iso,
                                 supplement_due(state, self.calendar).iso)
        return state

    def outbox_counts(self) -> dict[str, int]:
        """The outbox's counts, with the events of bundles carried from stations below (waiting
        here to be relayed upward) counted as pending too: they go up with this station's push."""
        from station.relay_queue import relayed_events

        counts = self.store.outbox_counts()
        counts["relayed"] = relayed_events(self.home.root)
        counts["pending"] += counts["relayed"]
        return counts

    def refresh_deadlines(self) -> int:
        """Recompute every open case's deadline (after a new calendar arrived)."""
        from station.store import CaseQuery

        rows = self.store.case_rows(CaseQuery(statuses=_OPEN), limit=10**9)
        with self.store.write():
            for row in rows:
                self._project(row["case_no"])
        return len(rows)

    # -- intake -------------------------------------------------------------------

    def intake(self, operator: Operator, request: IntakeRequest) -> dict[str, Any]:
        from station.receipts.tokens import new_token, token_hash

        item, clean = self._validate_intake(operator, request)
        token = new_token()
        with self.store.write():
            day = self.today()
            case_no = make_case_no(self.station.code, day, self.store.next_serial(day.isoformat()))
            self.store.remember_citizen(clean["applicant"]["id_number"], clean["applicant"]["name"],
                                        clean["applicant"]["phone"])
            self.store.save_token(case_no, token)
            event = self._new_event(case_no, "received", operator, clean | {"token_hash": token_hash(token)})
            self._record_local(event)
        return self.intake_result(case_no)

    def intake_result(self, case_no: str) -> dict[str, Any]:
        from station.deadlines import case_deadline, supplement_due

        state = self.case(case_no)
        deadline, due = case_deadline(state, self.calendar, self.today()), supplement_due(state, self.calendar)
        return {"case_no": case_no, "status": state.status, "deadline": deadline.iso,
                "deadline_note": deadline.note, "supplement_due": due.iso,
                "tracking_url": self.tracking_url(case_no)}

    def _validate_intake(self, operator: Operator, request: IntakeRequest) -> tuple[ServiceItem, dict[str, Any]]:
        from forms import UnknownItem, validate_form  # the schema and validators load for an intake only

        problems: list[str] = []
        try:
            item = self.catalogue.get(request.item_code)
        except UnknownItem as exc:
            raise BadInput(str(exc)) from exc
        if operator.role == "agent" and not item.on_behalf:
            raise NotAllowed(f"“{item.name}”不能代办，请申请人本人到窗口办理")
        applicant = self._applicant(request, problems)
        values, field_problems = validate_form(item, request.fields)
        problems += field_problems + self._material_problems(item, request)
        if not request.authorised:
            problems.append("申请人尚未签署委托代办授权，不能代为申请")
        if problems:
            raise BadInput(*problems)
        return item, {
            "item": {"code": item.code, "version": item.version, "name": item.name, "level": item.level,
                     "promise_days": item.promise_days, "instant": item.instant, "legal_days": item.legal_days,
                     "max_extension_days": item.max_extension_days, "pauses": list(item.pauses),
                     "public_notice_days": item.public_notice_days},
            "applicant": applicant, "fields": values, "materials": self._material_list(item, request),
            "on_behalf": operator.role == "agent",
        } | ({"sms_opt_out": True} if request.sms_opt_out else {})

    def _applicant(self, request: IntakeRequest, problems: list[str]) -> dict[str, Any]:
        from forms import InvalidValue, check_id_number, check_phone

        applicant: dict[str, Any] = {"id_number": request.applicant_id, "name": request.applicant_name, "phone": None}
        try:
            applicant["id_number"] = check_id_number(request.applicant_id)
        except InvalidValue as exc:
            problems.append(str(exc))
        name = request.applicant_name.strip()
        if not name or len(name) > 50:
            problems.append("申请人姓名不能为空，最长 50 个字")
        elif any(char.isdigit() or not char.isprintable() for char in name):
            problems.append(f"申请人姓名“{name}”含有数字或控制字符，请按身份证上的姓名填写")
        applicant["name"] = name
        if request.phone:
            try:
                applicant["phone"] = check_phone(request.phone)
            except InvalidValue as exc:
                problems.append(str(exc))
        return applicant

    def _material_problems(self, item: ServiceItem, request: IntakeRequest) -> list[str]:
        known = {m.key: m for m in item.materials}
        problems = [f"材料代码“{k}”不是“{item.name}”的材料，可选：{'、'.join(known)}"
                    for k in [*request.received, *request.deferred] if k not in known]
        for key in set(request.received) & set(request.deferred):
            problems.append(f"材料“{known[key].name}”不能既已收又容缺")
        for key in request.deferred:
            if key in known and not known[key].deferrable:
                problems.append(f"材料“{known[key].name}”不能容缺后补，需当场提交")
        missing = [m.name for m in item.materials
                   if m.required and m.key not in request.received and m.key not in request.deferred]
        if missing:
            problems.append(f"缺少必要材料：{'、'.join(missing)}。请出具一次性告知书，材料齐全后再收件")
        return problems

    @staticmethod
    def _material_list(item: ServiceItem, request: IntakeRequest) -> list[dict[str, Any]]:
        def status(key: str) -> str:
            return "received" if key in request.received else "deferred" if key in request.deferred else "missing"
        return [{"key": m.key, "name": m.name, "required": m.required, "deferrable": m.deferrable,
                 "defer_days": m.defer_days, "status": status(m.key)} for m in item.materials]

    # -- acting on a case ---------------------------------------------------------

    def act(self, operator: Operator, case_no: str, kind: str, *, reason: str | None = None,
            materials: list[str] | None = None, level: int | None = None, days: int | None = None,
            until: str | None = None) -> CaseState:
        from station.actions import ActionInput, action_data  # loaded for an action, not for a read

        with self.store.write():
            state = self.case(case_no)
            action = ActionInput(kind, reason or "", tuple(materials or ()), level, days, until)
            data = action_data(state, action, self._item_of(state), self.calendar, self.today())
            self.record_step(state, kind, operator, data)
        return self.case(state.case_no)

    def record_step(self, state: CaseState, kind: str, operator: Operator, data: dict[str, Any]) -> Event:
        """Record one step on a case as this station (inside the caller's ``store.write()``).

        The ledger's rules judge it first: a step the operator may not take is refused
        (:class:`NotAllowed`), one that does not fit the case's state is bad input.
        """
        event = self._new_event(state.case_no, kind, operator, data)
        verdict = step_problem(state, event, self.topology)
        if verdict:
            raise (NotAllowed if verdict.forbidden else BadInput)(verdict.reason)
        self._record_local(event)
        return event

    def _item_of(self, state: CaseState) -> ServiceItem | None:
        from forms import UnknownItem

        try:
            return self.catalogue.get(state.item.get("code", ""), version=state.item.get("version"))
        except UnknownItem:
            return None

    # -- reading ------------------------------------------------------------------

    def case(self, case_no: str) -> CaseState:
        try:
            normalised = normalise_case_no(case_no)
        except InvalidCaseNo as exc:
            raise BadInput(str(exc)) from exc
        state = self.store.case_state(normalised)
        if state is None or not state.visible_to(self.station.code, self.topology):
            raise NotFound(f"没有找到案件 {case_no}")
        return state

    def list_cases(self, status: str | None = None, overdue: bool = False, limit: int = 200,
                   offset: int = 0) -> list[dict[str, Any]]:
        import station.listed_clock  # noqa: F401  # loads before the unlock, while a PIN digest started ahead runs
        from station.store import CaseQuery

        if overdue and status and status not in OPEN_STATUSES:
            return []  # only an open case can be overdue
        statuses = (status,) if status else _OPEN if overdue else ()
        query = CaseQuery(statuses=statuses, deadline_before=self.today().isoformat() if overdue else None)
        listed = [self._case_row(row, state) for row, state in self.store.listed_cases(query, limit, offset)]
        if overdue and status in (None, "submitted"):
            listed += self._deemed_overdue(limit)
        return listed[:limit]

    def _deemed_overdue(self, limit: int) -> list[dict[str, Any]]:
        """A case nobody answered within 5 working days counts as accepted as days pass, with no
        event to fold it again: its stored deadline is still empty, so it is worked out now."""
        from station.store import CaseQuery

        waiting = self.store.listed_cases(CaseQuery(statuses=("submitted",), no_deadline=True), limit=limit)
        return [listed for listed in (self._case_row(row, state) for row, state in waiting) if listed["overdue"]]

    def _case_row(self, row: dict[str, Any], state: CaseState) -> dict[str, Any]:
        from station.listed_clock import listed_clock

        clock = listed_clock(state, self.calendar, self.today())
        return {
            "case_no": row["case_no"], "status": row["status"], "status_label": STATUS_LABELS[row["status"]],
            "item": row["item_code"], "item_name": row["item_name"], "handler": row["handler"],
            "handler_name": station_name(self.topology, row["handler"]), "origin": row["origin"],
            "applicant_name": row["applicant_name"], "received_on": row["received_on"],
            "deadline": clock.deadline, "supplement_due": row["supplement_due"], "legal_deadline": clock.legal_deadline,
            "deemed_accepted": clock.deemed_accepted, "overdue": clock.overdue, "legal_overdue": clock.legal_overdue,
            "paused": clock.paused,
            "conflicts": row["conflicts"],
        }

    def case_view(self, case_no: str) -> CaseView:
        """One case as the app, the command and the documents show it (timeline, materials, deadlines, texts)."""
        import station.views  # noqa: F401  # loads before the unlock, while a PIN digest started ahead runs

        return self._view_of(self.case(case_no))

    def _view_of(self, state: CaseState) -> CaseView:
        from station.views import case_view

        return case_view(state, self.topology, self.calendar, self.today().isoformat(),
                         self.tracking_url(state.case_no), self.store.sms_notices(state.case_no))

    def field_labels(self, view: CaseView) -> dict[str, str]:
        """The form's labels, in its order, of the item version the case was filed under ({} when unknown here)."""
        from forms import UnknownItem

        try:
            item = self.catalogue.get(str(view.item), view.item_version)
        except UnknownItem:
            return {}
        return {field.key: field.label for field in item.fields}

    def receipt(self, case_no: str, *, paper: str = "回执") -> ReceiptData:
        """What the receipt (and every document's head) says; only the receiving station holds the QR token."""
        from station.views import receipt_data

        state = self.case(case_no)
        view = self._view_of(state)
        if not view.tracking_url:
            raise NotFound(f"{paper}由收件站打印：本站没有该案件的查询码（二维码）")
        actor = view.timeline[0].actor
        agent = self.store.agent(actor)
        return receipt_data(view, int(state.item.get("promise_days") or 0), agent["name"] if agent else actor,
                            self.topology.cityhall.name, instant=bool(state.item.get("instant")))

    def handed_over_receipt(self, case_no: str) -> ReceiptData:
        """The receipt as it was handed over at intake, however often and late it is printed again."""
        from station.intake_receipt import intake_receipt

        return intake_receipt(self, case_no)

    def case_states(self, query: CaseQuery | None = None) -> list[CaseState]:
        """The folded states of this station's cases (all, or those ``query`` picks)."""
        from station.store import CaseQuery

        return self.store.case_states(query or CaseQuery())

    def work_queue(self) -> WorkQueue:
        """Cases waiting for this station's decision, most urgent first."""
        from station.store import CaseQuery
        from station.work_queue import WAITING_FOR_DECISION, work_queue

        states = self.case_states(CaseQuery(statuses=WAITING_FOR_DECISION, handler=self.station.code))
        return work_queue(states, self.calendar, self.today(), self.station.code, self.topology)

    def tracking_url(self, case_no: str) -> str | None:
        from station.receipts.tokens import tracking_url

        token = self.store.token(case_no)
        return tracking_url(self.topology.cityhall.public_url, case_no, token) if token else None

    def signing_key(self) -> Ed25519PrivateKey:
        from station.keys import load_private_key  # cryptography loads only where keys are used

        return load_private_key(self.home.key_file)
