"""The city hall's store: enrolment, ingest with dedupe and seq, the pull feed, tracking reads.

One writer: pushes are judged and written in one transaction per batch, which first
takes the database's write lock (``db.take_write_lock``: SQLite's write lock, a row lock
on PostgreSQL), so several processes or uvicorn workers on one database never interleave;
the answers leave only after the commit. Sequence numbers come with that lock (``hub_lock``
holds the next ones) and a batch is inserted with ``executemany``. Case states are kept in a
bounded in-memory cache, dropped whenever another process wrote since this one did (the
lock's count of writes moved by more than this one's), and rebuilt by folding the stored
events when missing.
"""
from __future__ import annotations

import json
import operator
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, tuple_, union_all, update

from forms import Catalogue
from station.keys import load_public_key
from station.ledger import CITIZEN, CaseState, Event, Verdict, fold
from station.ledger.fold import apply_judged
from station.topology import Topology
from sync.ingest import Answer, Judgement, authority_problem, clock_problem, judge, viewers_of

from . import db, notify
from .bundles import check_encryption_key
from .chainstore import record_links
from .publish import PublishedCatalogue
from .revocation import Revocation, all_revocations, revocations

__all__ = ["HubStore", "PullPage", "enroll_station"]

_CACHE_SIZE = 20_000
MAX_PULL_BYTES = 4 * 1024 * 1024
_KEY_TTL_S = 2.0
_CONTACT_EVERY_S = 60.0
"""How often a station's ``last_contact`` is written to the database (``/metrics`` reads the live one)."""

# Statements every batch runs, built once (building them per batch showed in the profile).
# an event is its station's: only the sender's own events can make one of its ids a duplicate
_KNOWN_IDS = union_all(
    select(db.events.c.id).where(db.events.c.station == bindparam("station"), db.one_of(db.events.c.id, "ids")),
    select(db.parked.c.id).where(db.parked.c.station == bindparam("station"), db.one_of(db.parked.c.id, "ids")))
_EVENTS_OF_CASES = (select(db.events.c.case_no, db.events.c.seq, db.events.c.body)
                    .where(db.one_of(db.events.c.case_no, "cases")).order_by(db.events.c.seq))
_PARKED_OF_CASES = select(db.parked.c.case_no, db.parked.c.body).where(db.one_of(db.parked.c.case_no, "cases"))
_CONTACT = update(db.stations).where(db.stations.c.code == bindparam("signer")).values(last_contact=bindparam("at"))
_CASE_MOVED = (update(db.cases).where(db.cases.c.case_no == bindparam("key"))
               .values(status=bindparam("new_status"), last_hlc=bindparam("new_hlc"), viewers=bindparam("new_viewers")))
_SORT_KEY = operator.attrgetter("sort_key")
_BACKDATED = Judgement("reject", "本站已在该案件上记过时间更晚的事件，这条事件的时间却排在它之前，不能补记在前"
                                 "（本站时钟被调回过，或事件的时间被改过）")
_EVENT_COLUMNS = ("seq", "id", "case_no", "kind", "station", "hlc", "body", "ingested_at")
_FEED_COLUMNS = ("fseq", "station", "event_seq", "span")
_FEED_RUNS = (select(db.feed.c.fseq, db.feed.c.event_seq, db.feed.c.span)
              .where(db.feed.c.station == bindparam("station"), db.feed.c.fseq > bindparam("after"))
              .order_by(db.feed.c.fseq).limit(bindparam("runs")))
_BODIES_OF_SEQS = select(db.events.c.seq, db.events.c.body).where(db.one_of(db.events.c.seq, "seqs"))
_CASE_COLUMNS = ("case_no", "origin", "token_hash", "status", "last_hlc", "viewers")
_PARKED_COLUMNS = ("id", "case_no", "station", "body", "parked_at")
_REJECTION_COLUMNS = ("id", "case_no", "station", "reason", "body", "rejected_at")
_VIEWERS_OF_CASES = select(db.cases.c.case_no, db.cases.c.viewers).where(db.one_of(db.cases.c.case_no, "cases"))


def enroll_station(engine: Engine, code: str, public_key: str, encryption_key: str | None = None) -> bool:
    """Register (or replace) a station's key; True when it replaced an older one.

    ``encryption_key`` (its bundles' key) is kept when the same signing key is enrolled again
    without one, and forgotten with a replaced signing key (the new PC publishes its own).
    """
    load_public_key(public_key)  # refuse a malformed key before writing it
    if encryption_key is not None:
        check_encryption_key(encryption_key)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with engine.begin() as conn:
        if conn.execute(select(revocations.c.station).where(revocations.c.public_key == public_key)).first():
            raise ValueError("this key was revoked: it can never be enrolled again; make a new one with "
                             "`station init` on the station's PC and enrol that")
        old = conn.execute(select(db.stations.c.public_key, db.stations.c.encryption_key)
                           .where(db.stations.c.code == code)).first()
        if old:
            kept = old.encryption_key if old.public_key == public_key else None
            conn.execute(update(db.stations).where(db.stations.c.code == code)
                         .values(public_key=public_key, enrolled_at=now, encryption_key=encryption_key or kept))
        else:
            conn.execute(insert(db.stations).values(code=code, public_key=public_key, enrolled_at=now,
                                                    encryption_key=encryption_key))
    return old is not None


def feed_runs(deliveries: dict[str, list[int]], next_fseq: int) -> tuple[list[tuple[int, str, int, int]], int]:
    """The feed rows (``_FEED_COLUMNS``) of each station's deliveries (event seqs, in the order
    it is to pull them), their fseqs handed out from ``next_fseq``; and the next fseq after them.
    Deliveries of consecutive events make one row (``db.feed``'s ``span``)."""
    rows: list[tuple[int, str, int, int]] = []
    for station, seqs in sorted(deliveries.items()):
        start = 0
        for end in range(1, len(seqs) + 1):
            if end == len(seqs) or seqs[end] != seqs[end - 1] + 1:
                next_fseq += end - start
                rows.append((next_fseq - 1, station, seqs[end - 1], end - start))
                start = end
    return rows, next_fseq


def deliveries_after(runs: Iterable[tuple[int, int, int]], after: int, limit: int) -> list[tuple[int, int]]:
    """The first ``limit`` (fseq, event seq) past the cursor ``after`` in feed rows (fseq, event_seq, span)."""
    deliveries: list[tuple[int, int]] = []
    for fseq, event_seq, span in runs:
        skipped = max(0, after - (fseq - span))
        for offset in range(skipped - span + 1, 1):
            deliveries.append((fseq + offset, event_seq + offset))
            if len(deliveries) == limit:
                return deliveries
    return deliveries


def bounded_page(rows: Sequence[Any], limit: int) -> list[Any]:
    """The first ``limit`` (cursor, body) rows, fewer when their bodies pass ``MAX_PULL_BYTES``:
    a page is bounded in bytes too, so big events make short pages."""
    page: list[Any] = []
    size = 0
    for row in rows[:limit]:
        if page and size + len(row[1]) > MAX_PULL_BYTES:
            break
        page.append(row)
        size += len(row[1])
    return page


@dataclass(slots=True)
class _CaseEntry:
    state: CaseState | None
    viewers: set[str] = field(default_factory=set)
    is_new: bool = False


@dataclass
class PullPage:
    events: list[dict[str, Any]]
    cursor: int
    more: bool


class HubStore:
    def __init__(self, engine: Engine, topology: Topology,
                 catalogue: Callable[[Connection], Catalogue] | None = None) -> None:
        self.engine = engine
        self.topology = topology
        self.catalogue = catalogue or PublishedCatalogue(engine).get
        """The hub's own catalogue (built-in and published items): what every ``received`` is judged by,
        read in the push's own transaction."""
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, _CaseEntry] = OrderedDict()
        self._last_writes: int | None = None
        """The lock's count of writes after this store's last ingest: another writer moved it if it is not
        one less than the next ingest's."""
        self._turn_catalogue: Catalogue | None = None
        """The catalogue the last ingest judged by: still the published one while no other writer
        (publishing takes the same lock) came between, so it is not read again."""
        self.last_contact: dict[str, float] = {}
        self._contact_stored: dict[str, float] = {}
        """When each station's ``last_contact`` was last committed by this process."""
        self.ingested = 0
        self._keys: dict[str, tuple[Ed25519PublicKey, float]] = {}
        self._revoked: tuple[dict[str, list[Revocation]], float] | None = None

    # -- enrolment ----------------------------------------------------------------

    def enroll(self, code: str, public_key: str, encryption_key: str | None = None) -> bool:
        self._keys.pop(code, None)
        return enroll_station(self.engine, code, public_key, encryption_key)

    def enrolled_key_text(self, code: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(db.stations.c.public_key).where(db.stations.c.code == code)).scalar()

    def public_key(self, code: str, *, fresh: bool = False) -> Ed25519PublicKey | None:
        """The station's enrolled key, read again at most every ``_KEY_TTL_S`` seconds, or now if ``fresh``.

        Every signed request needs it; re-enrolment from another process (``cityhall
        enroll`` next to a running hub) takes effect within that time, or at once for a
        request the cached key does not verify (see ``authenticate``).
        """
        cached = self._keys.get(code)
        if cached and not fresh and time.monotonic() - cached[1] < _KEY_TTL_S:
            return cached[0]
        text = self.enrolled_key_text(code)
        key = load_public_key(text) if text else None
        if key is not None:
            self._keys[code] = (key, time.monotonic())
        return key

    def credentials_in_memory(self, code: str) -> bool:
        """True when checking a request of ``code`` reads nothing from the database: its enrolled key
        and the revocations are both held and fresh (``public_key``, ``revoked_keys``)."""
        cached = self._keys.get(code)
        now = time.monotonic()
        return (cached is not None and now - cached[1] < _KEY_TTL_S
                and self._revoked is not None and now - self._revoked[1] < _KEY_TTL_S)

    def revoked_keys(self, code: str) -> list[Revocation]:
        """The station's revoked keys, all stations' read again at most every ``_KEY_TTL_S`` seconds."""
        if self._revoked is None or time.monotonic() - self._revoked[1] >= _KEY_TTL_S:
            by_station: dict[str, list[Revocation]] = {}
            for revocation in all_revocations(self.engine):
                by_station.setdefault(revocation.station, []).append(revocation)
            self._revoked = (by_station, time.monotonic())
        return self._revoked[0].get(code, [])

    def forget_revocations(self) -> None:
        """Read revocations again on the next request (after this process revoked a key)."""
        self._revoked = None

    def touch(self, code: str, when: float) -> None:
        self.last_contact[code] = when

    # -- ingest -------------------------------------------------------------------

    def ingest(self, events: list[Event], signer: str, now: float) -> list[Answer]:
        with self._lock:
            run = _IngestRun(self, signer, now)
            try:
                with self.engine.begin() as conn:
                    turn = db.take_write_lock(conn)
                    if turn.writes - 1 != self._last_writes:  # another writer came between: it may have
                        self._cache.clear()                    # changed cases, or published an item
                        self._turn_catalogue = None
                    if self._turn_catalogue is None:
                        self._turn_catalogue = self.catalogue(conn)
                    answers = run.execute(conn, events, turn, self._turn_catalogue)
                    record_links(conn, events, answers, signer, self.topology.cityhall.code, now)
            except BaseException:
                for case_no in run.entries:
                    self._cache.pop(case_no, None)
                self._last_writes = None
                raise
            self._last_writes = turn.writes
            for case_no, entry in run.entries.items():
                self._remember(case_no, entry)
            if run.contact_written:
                self._contact_stored[signer] = now
            self.ingested += sum(1 for a in answers if a.status == "accepted")
            return answers

    def contact_due(self, code: str, now: float) -> bool:
        """Whether a push of ``code`` at ``now`` writes its ``last_contact``: at most once a minute, since
        every push wrote one more row (and page) for a value only an operator looks at."""
        return now - self._contact_stored.get(code, float("-inf")) >= _CONTACT_EVERY_S

    def _remember(self, case_no: str, entry: _CaseEntry) -> None:
        entry.is_new = False
        self._cache[case_no] = entry
        self._cache.move_to_end(case_no)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)

    @staticmethod
    def _stored_events(conn: Any, case_no: str) -> list[Event]:
        rows = conn.execute(select(db.events.c.body).where(db.events.c.case_no == case_no)).scalars()
        return [Event.from_stored(json.loads(body)) for body in rows]

    # -- pull ---------------------------------------------------------------------

    def pull(self, station: str, after: int, limit: int) -> PullPage:
        with self.engine.connect() as conn:
            runs = db.run_compiled(conn, _FEED_RUNS, {"station": station, "after": after, "runs": limit + 1})
            deliveries = deliveries_after(runs, after, limit + 1)
            seqs = {"seqs": db.json_list(seq for _, seq in deliveries)}
            bodies: dict[int, str] = dict(db.run_compiled(conn, _BODIES_OF_SEQS, seqs))
        rows = [(fseq, bodies[seq]) for fseq, seq in deliveries if seq in bodies]
        page = bounded_page(rows, limit)
        return PullPage([json.loads(body) for _, body in page], page[-1][0] if page else after, len(rows) > len(page))

    # -- reads for pages and metrics -----------------------------------------------

    def token_hash_of(self, case_no: str) -> str | None:
        """The stored hash of a case's tracking token (None: no such case): checked before any fold."""
        with self.engine.connect() as conn:
            return conn.execute(select(db.cases.c.token_hash).where(db.cases.c.case_no == case_no)).scalar()

    def case_for_tracking(self, case_no: str) -> tuple[CaseState | None, str]:
        with self.engine.connect() as conn:
            token = conn.execute(select(db.cases.c.token_hash).where(db.cases.c.case_no == case_no)).scalar()
            if token is None:
                return None, ""
            return fold(self._stored_events(conn, case_no), self.topology), token

    def parked_by_station(self) -> dict[str, int]:
        query = select(db.parked.c.station, func.count()).group_by(db.parked.c.station)
        with self.engine.connect() as conn:
            return {code: int(n) for code, n in conn.execute(query)}

    def event_total(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(db.events)).scalar() or 0)

    def event_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(db.events.c.id).order_by(db.events.c.seq)).scalars())


class _IngestRun:
    """One batch inside one transaction: judge each event, then write everything at once."""

    def __init__(self, store: HubStore, signer: str, now: float) -> None:
        self.store, self.signer, self.now = store, signer, now
        self.topology = store.topology
        self.entries: dict[str, _CaseEntry] = {}
        self.pending_events: list[tuple[int, Event]] = []
        self.pending_by_case: dict[str, list[tuple[int, Event]]] = {}
        self.deliveries: defaultdict[str, list[int]] = defaultdict(list)
        """Per viewer, the seqs of the events it is to pull, in that order (``feed_runs``)."""
        self.parked_now: dict[tuple[str, str], Event] = {}
        self.unparked_ids: list[tuple[str, str]] = []
        self.rejection_rows: list[tuple[str, str, str, str, str, float]] = []
        self.answers: dict[str, Answer] = {}
        self.stored: dict[str, list[tuple[int, Event]]] = {}
        """Events already committed, per case, read once per batch."""
        self.waiting: dict[str, list[Event]] = {}
        self.viewers: dict[str, set[str]] = {}
        self.contact_written = False

    def execute(self, conn: Any, events: list[Event], turn: db.WriteTurn, catalogue: Catalogue) -> list[Answer]:
        self.conn = conn
        self.seq, self.fseq = turn.next_seq, turn.next_fseq
        self.catalogue = catalogue
        known = self._known_ids([e.id for e in events if e.station == self.signer])
        self._prefetch(sorted({e.case for e in events} - set(self.store._cache)))
        ordered: list[Answer] = []
        to_judge: list[Event] = []
        for event in events:
            if (event.station == self.signer and event.id in known) or event.id in self.answers:
                ordered.append(Answer(event.id, "duplicate"))  # sent before, or earlier in this same push
                continue
            self.answers[event.id] = Answer(event.id, "pending")
            ordered.append(self.answers[event.id])
            to_judge.append(event)
        to_judge.sort(key=_SORT_KEY)
        for event in to_judge:
            problem = authority_problem(event, self.signer, self.topology) or clock_problem(event, self.now)
            if problem:
                self.answers[event.id].status, self.answers[event.id].reason = "rejected", problem
            else:
                self._consider(event)
        self._write()
        if (self.seq, self.fseq) != (turn.next_seq, turn.next_fseq):
            db.pass_write_turn(conn, self.seq, self.fseq)
        return ordered

    def _known_ids(self, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        return {known for known, in db.run_compiled(self.conn, _KNOWN_IDS, {"ids": db.json_list(ids), "station": self.signer})}

    def _prefetch(self, case_nos: list[str]) -> None:
        """Read what the batch's uncached cases need in a few queries, not several per case."""
        if not case_nos:
            return
        for case_no in case_nos:
            self.stored[case_no], self.waiting[case_no], self.viewers[case_no] = [], [], set()
        listed = {"cases": db.json_list(case_nos)}
        for case_no, seq, body in db.run_compiled(self.conn, _EVENTS_OF_CASES, listed):
            self.stored[case_no].append((seq, Event.from_stored(json.loads(body))))
        for case_no, body in db.run_compiled(self.conn, _PARKED_OF_CASES, listed):
            self.waiting[case_no].append(Event.from_stored(json.loads(body)))
        seen = [case_no for case_no in case_nos if self.stored[case_no]]
        if seen:  # a case has viewers only once it has events
            for case_no, viewers in db.run_compiled(self.conn, _VIEWERS_OF_CASES, {"cases": db.json_list(seen)}):
                self.viewers[case_no] = db.viewers_in(viewers)

    def _stored_rows(self, case_no: str) -> list[tuple[int, Event]]:
        if case_no not in self.stored:
            rows = self.conn.execute(select(db.events.c.seq, db.events.c.body)
                                     .where(db.events.c.case_no == case_no).order_by(db.events.c.seq))
            self.stored[case_no] = [(seq, Event.from_stored(json.loads(body))) for seq, body in rows]
        return self.stored[case_no]

    def _entry(self, case_no: str) -> _CaseEntry:
        if case_no not in self.entries:
            cached = self.store._cache.get(case_no)
            if cached is None:
                stored = self._stored_rows(case_no)
                state = fold([e for _, e in stored], self.topology) if stored else None
                viewers = self.viewers.get(case_no)
                if viewers is None:
                    viewers = db.viewers_in(self.conn.execute(select(db.cases.c.viewers)
                                                              .where(db.cases.c.case_no == case_no)).scalar() or "")
                cached = _CaseEntry(state, viewers)
            self.entries[case_no] = cached
        return self.entries[case_no]

    def _consider(self, event: Event, from_parking: bool = False) -> None:
        entry = self._entry(event.case)
        sorts_last = entry.state is None or event.hlc > entry.state.last_hlc
        judged = self._judge(entry, event, sorts_last)
        if judged.decision == "park":
            self.parked_now[event.identity] = event
            self._answer(event, "parked")
        elif judged.decision == "reject":
            self._reject(event, judged.reason or "", from_parking)
        else:
            self._accept(entry, event, sorts_last, judged.verdict)

    def _judge(self, entry: _CaseEntry, event: Event, sorts_last: bool) -> Judgement:
        """``judge`` against the events sorting before ``event``, for an event that may sort there.

        A station's clock only moves on, so its events of a case come in their clock's order: one
        stamped before an event the same station already recorded on the case was backdated (a
        township deciding a case it had already escalated, as the case stood before). A citizen's
        event (recorded by a hub worker, on that worker's clock) must also be a valid step of the
        case as it stands now: else of two ratings from two workers, the one whose clock was behind
        would be judged without the other.
        """
        if sorts_last:
            return judge(entry.state, event, self.topology, self.catalogue)
        if event.actor != CITIZEN and self._recorded_later_by_its_station(event):
            return _BACKDATED
        judged = judge(self._fold_before(event), event, self.topology, self.catalogue)
        if event.actor != CITIZEN or judged.decision != "accept":
            return judged
        now = judge(entry.state, event, self.topology, self.catalogue)
        return now if now.decision == "reject" else judged

    def _recorded_later_by_its_station(self, event: Event) -> bool:
        return any(e.station == event.station and e.sort_key > event.sort_key for e in self._case_events(event.case))

    def _answer_of(self, event: Event) -> Answer | None:
        """The answer this push owes for ``event``: none for another station's event released from parking."""
        return self.answers.get(event.id) if event.station == self.signer else None

    def _answer(self, event: Event, status: str, reason: str | None = None) -> None:
        answer = self._answer_of(event)
        if answer is not None:
            answer.status, answer.reason = status, reason

    def _reject(self, event: Event, reason: str, from_parking: bool) -> None:
        self._answer(event, "rejected", reason)
        if from_parking and self._answer_of(event) is None:
            self.rejection_rows.append((event.id, event.case, event.station, reason, event.to_json(), self.now))

    def _case_events(self, case_no: str) -> list[Event]:
        stored = [e for _, e in self._stored_rows(case_no)]
        return stored + [e for _, e in self.pending_by_case.get(case_no, [])]

    def _fold_before(self, event: Event) -> CaseState | None:
        return fold([e for e in self._case_events(event.case) if e.sort_key < event.sort_key], self.topology)

    def _accept(self, entry: _CaseEntry, event: Event, sorts_last: bool, verdict: Verdict | None) -> None:
        opened = entry.state is None
        seq = self._take_seq()
        self.pending_events.append((seq, event))
        self.pending_by_case.setdefault(event.case, []).append((seq, event))
        if sorts_last:
            entry.state = apply_judged(entry.state, event, self.topology, verdict)
        else:
            entry.state = fold(self._case_events(event.case), self.topology)
        entry.is_new = entry.is_new or opened
        self._answer(event, "accepted")
        self._extend_feed(entry, event, seq, opened)
        if opened:
            self._release_parked(event.case)

    def _take_seq(self) -> int:
        self.seq += 1
        return self.seq - 1

    def _extend_feed(self, entry: _CaseEntry, event: Event, seq: int, opened: bool) -> None:
        assert entry.state is not None
        viewers = viewers_of(entry.state, self.topology)
        if not viewers <= entry.viewers:
            earlier = [] if opened else self._earlier_events(event.case, seq)  # an event that opens a case is its first
            self._welcome(entry, viewers - entry.viewers, earlier)
        for viewer in entry.viewers:
            if viewer != event.station:
                self.deliveries[viewer].append(seq)

    def _welcome(self, entry: _CaseEntry, newcomers: frozenset[str], earlier: list[tuple[int, Event]]) -> None:
        """Stations that may now see the case get its ``earlier`` events first."""
        if earlier:
            for viewer in sorted(newcomers):
                self.deliveries[viewer].extend(s for s, e in earlier if e.station != viewer)
        entry.viewers |= newcomers  # written with the case's row (``_write_cases``)

    def _earlier_events(self, case_no: str, seq: int) -> list[tuple[int, Event]]:
        pending = [(s, e) for s, e in self.pending_by_case.get(case_no, []) if s < seq]
        return list(self._stored_rows(case_no)) + pending

    def _release_parked(self, case_no: str) -> None:
        waiting = self.waiting.get(case_no)
        if waiting == [] and not self.parked_now:  # read with the batch's cases: nothing waits on this one
            return
        if waiting is None:
            rows = self.conn.execute(select(db.parked.c.body).where(db.parked.c.case_no == case_no)).scalars()
            waiting = [Event.from_stored(json.loads(body)) for body in rows]
        waiting = list(waiting)
        self.unparked_ids += [e.identity for e in waiting]
        waiting += [e for e in self.parked_now.values() if e.case == case_no]
        for event in waiting:
            self.parked_now.pop(event.identity, None)
        for event in sorted(waiting, key=lambda e: e.sort_key):
            self._consider(event, from_parking=True)

    def _write(self) -> None:
        conn = self.conn
        if self.unparked_ids:
            conn.execute(delete(db.parked).where(tuple_(db.parked.c.station, db.parked.c.id).in_(self.unparked_ids)))
        now = self.now
        db.insert_many(conn, db.events, _EVENT_COLUMNS, [
            (seq, e.id, e.case, e.kind, e.station, e.hlc, e.to_json(), now) for seq, e in self.pending_events])
        feed_rows, self.fseq = feed_runs(self.deliveries, self.fseq)
        db.insert_many(conn, db.feed, _FEED_COLUMNS, feed_rows)
        db.insert_many(conn, db.rejections, _REJECTION_COLUMNS, self.rejection_rows)
        db.insert_many(conn, db.parked, _PARKED_COLUMNS, [
            (e.id, e.case, e.station, e.to_json(), now) for e in self.parked_now.values()])
        self._write_cases()
        if self.store.contact_due(self.signer, self.now):
            conn.execute(_CONTACT, {"signer": self.signer, "at": self.now})
            self.contact_written = True
        notify.record_ingested(conn, self.store, self.pending_events, self.entries, self.now)

    def _write_cases(self) -> None:
        new_rows, changed = [], []
        for case_no, entry in self.entries.items():
            state = entry.state
            if state is None:
                continue
            if entry.is_new:
                new_rows.append((case_no, state.origin, state.token_hash, state.status, state.last_hlc,
                                 db.viewers_text(entry.viewers)))
            elif case_no in self.pending_by_case:
                changed.append({"key": case_no, "new_status": state.status, "new_hlc": state.last_hlc,
                                "new_viewers": db.viewers_text(entry.viewers)})
        db.insert_many(self.conn, db.cases, _CASE_COLUMNS, new_rows)
        if changed:
            db.run_compiled(self.conn, _CASE_MOVED, changed)
