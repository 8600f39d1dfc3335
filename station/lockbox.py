"""Opening the station's encrypted store: unlock, migrate a plain store, change its key safely.

The store is one SQLCipher file (pages, WAL and indexes all encrypted) under the data key
of :mod:`station.datakey`. Whenever the store moves to another key — a plain store of an
older version being encrypted, or the first operator replacing the key that stood in the
open — it is copied with ``sqlcipher_export`` into ``station.db.swap`` beside it under the
new key, flushed to disk, its wraps written to ``keys.pending.json`` naming the copy's
salt, and then the copy and the wraps are renamed over the originals in that order. At
every open, :func:`settle` looks at the store's first 16 bytes: the wraps that name them
win, the others go, and a swap copy left over is removed. A power cut at any moment thus
leaves the old store with its old wraps or the new with the new, never a store without a
key that opens it. The old store leaves WAL mode first (its WAL checkpointed into it), so
no WAL of the old file can ever be read against the new one.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from forms.records import FrozenRecord

from .errors import NotAllowed
from .home import StationHome
from .pins import PinDigests
from .unlock_ahead import KEYS_FILE, PIN_ENV, UNLOCK_PIN_ENV

if TYPE_CHECKING:  # cryptography loads only when a key is used, not when the app starts; the store when opened
    from .datakey import KeyRing
    from .store import dbapi2

__all__ = ["KEYS_FILE", "PENDING_FILE", "RECOVERY_KEY_ENV", "Credentials", "StoreLocked", "UNLOCK_PIN_ENV",
           "AGENT_ADD_LOCKED_TEXT", "settle", "unlock", "reconcile", "move_to_new_key", "PLAIN_HEADER"]

PLAIN_HEADER = b"SQLite format 3\x00"
PENDING_FILE = "keys.pending.json"
RECOVERY_KEY_ENV = "STATION_RECOVERY_KEY"
LOCKED_TEXT = ("本站数据已加密，需要先解锁：请在环境变量 STATION_PIN 中给出任一位操作员的密码，"
               f"或在 {RECOVERY_KEY_ENV} 中给出乡镇保管的恢复密钥")

AGENT_ADD_LOCKED_TEXT = ("添加操作员要先解锁本站数据，而 STATION_PIN 是新操作员的密码：请在环境变量 "
                         f"{UNLOCK_PIN_ENV} 中给出一位已有操作员的密码（或在 {RECOVERY_KEY_ENV} 中给出恢复密钥）再运行")


class StoreLocked(NotAllowed):
    """No PIN or recovery key given opens the store (exit 4)."""


class KeysDamaged(NotAllowed):
    """The store is encrypted but no wraps on this PC name it."""


class Credentials(FrozenRecord):
    """What may unlock the store: an operator's PIN (of ``agent`` when given, else of anyone), or the recovery key.

    ``unlock_pin``: an existing operator's PIN when ``pin`` is someone else's (``station agent add``
    takes the new one's). ``plain``: open the store as a plain SQLite file, as it is: only for
    measuring what encryption costs (``bench/bench_encryption.py``); no command offers it.
    ``digests``: where the unlock gets each PIN's scrypt digest (the command may have started one:
    :mod:`station.unlock_ahead`); not part of the value (neither compared nor shown).
    """

    __slots__ = ("pin", "agent", "recovery_key", "unlock_pin", "plain", "digests")
    _fields = ("pin", "agent", "recovery_key", "unlock_pin", "plain")

    pin: str | None
    agent: str | None
    recovery_key: str | None
    unlock_pin: str | None
    plain: bool
    digests: PinDigests

    def __init__(self, pin: str | None = None, agent: str | None = None, recovery_key: str | None = None,
                 unlock_pin: str | None = None, plain: bool = False, digests: PinDigests | None = None) -> None:
        self._assign(pin=pin, agent=agent, recovery_key=recovery_key, unlock_pin=unlock_pin, plain=plain,
                     digests=digests or PinDigests())

    @classmethod
    def from_env(cls, agent: str | None = None, digests: PinDigests | None = None) -> Credentials:
        return cls(pin=os.environ.get(PIN_ENV) or None, agent=agent,
                   recovery_key=os.environ.get(RECOVERY_KEY_ENV) or None,
                   unlock_pin=os.environ.get(UNLOCK_PIN_ENV) or None, digests=digests or PinDigests())

    def pins(self) -> list[str]:
        """The PINs to try, in this order (:func:`station.unlock_ahead.first_pin` names the first)."""
        return [pin for pin in (self.unlock_pin, self.pin) if pin]


def _paths(home: StationHome) -> tuple[Path, Path, Path]:
    return home.root / KEYS_FILE, home.root / PENDING_FILE, home.database.with_name(home.database.name + ".swap")


def store_salt(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(16)


def settle(home: StationHome) -> KeyRing:
    """The wraps that open the store as it is on disk, after finishing or undoing a key change cut short.

    A plain store (an older version's, or one just made by ``init``) is encrypted here first.
    """
    from .datakey import read_ring, sync_folder

    keys, pending, swap = _paths(home)
    salt = store_salt(home.database).hex()
    staged = read_ring(pending)
    if staged is not None and staged.store_salt == salt:
        os.replace(pending, keys)  # the copy was renamed in: its wraps are the ones
        sync_folder(home.root)
    pending.unlink(missing_ok=True)
    swap.unlink(missing_ok=True)
    ring = read_ring(keys)
    if ring is not None and ring.store_salt == salt:
        return ring
    if bytes.fromhex(salt) == PLAIN_HEADER:
        return _encrypt_plain(home)
    raise KeysDamaged(f"本站数据库已加密，但找不到能打开它的密钥文件 {KEYS_FILE}：请从备份恢复（station restore --from）")


def _encrypt_plain(home: StationHome) -> KeyRing:
    """Move a plain store under a new data key, each operator wrapped from their stored PIN hash."""
    from .store import connect_store

    conn = connect_store(home.database, None)
    try:
        hashes = _pin_hashes(conn)
    except BaseException:
        conn.close()
        raise
    return move_to_new_key(home, conn, hashes)[0]


def _pin_hashes(conn: dbapi2.Connection) -> dict[str, str]:
    from .store import dbapi2

    try:
        return dict(conn.execute("SELECT id, pin_hash FROM agents").fetchall())
    except dbapi2.OperationalError:  # a store made before operators existed
        return {}


def move_to_new_key(home: StationHome, source: dbapi2.Connection, pin_hashes: dict[str, str]) -> tuple[KeyRing, bytes]:
    """Copy the store under a fresh key and swap it in (see the module text); closes ``source``.

    With no operator the new key stands in the open; otherwise each gets a wrap.
    """
    from .datakey import KeyRing, new_data_key, sync_folder, write_ring

    keys, pending, swap = _paths(home)
    key = new_data_key()
    try:
        _leave_wal(source)
        swap.unlink(missing_ok=True)
        source.execute("ATTACH DATABASE ? AS swap KEY ?", [str(swap), f"x'{key.hex()}'"])
        source.execute("SELECT sqlcipher_export('swap')")
        source.execute("DETACH DATABASE swap")
    finally:
        source.close()
    _flush(swap)
    ring = reconcile(KeyRing(store_salt=store_salt(swap).hex()), key, pin_hashes, recovery_recipient(home))
    write_ring(pending, ring)
    _drop_sidecars(home.database)
    os.replace(swap, home.database)
    sync_folder(home.root)
    os.replace(pending, keys)
    sync_folder(home.root)
    return ring, key


def _leave_wal(conn: dbapi2.Connection) -> None:
    """Fold the WAL into the file and leave WAL mode, so no WAL of this file outlives it."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    if str(mode).lower() != "delete":
        raise NotAllowed("本站数据库正被另一个程序使用（比如终端界面开着）：请先关掉它再运行这条命令")


def _drop_sidecars(database: Path) -> None:
    wal = database.with_name(database.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        raise NotAllowed("本站数据库正被另一个程序使用（比如终端界面开着）：请先关掉它再运行这条命令")
    wal.unlink(missing_ok=True)
    database.with_name(database.name + "-shm").unlink(missing_ok=True)


def _flush(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def public_key_file(root: Path) -> Path:
    """The home's recovery public key (:mod:`station.recovery` makes and reads it)."""
    return root / "recovery.pub"


def recovery_recipient(home: StationHome) -> str | None:
    """The recovery public key as the home keeps it (the text a seal names as its recipient)."""
    path = public_key_file(home.root)
    return path.read_text(encoding="ascii").strip() if path.is_file() else None


def reconcile(ring: KeyRing, key: bytes, pin_hashes: dict[str, str], recovery: str | None) -> KeyRing:
    """The ring with a current wrap for every operator and a seal to the current recovery key
    (``recovery``: its public text). The key is parsed only when a new seal is due: every
    unlock comes here, and the first X25519 key costs OpenSSL's set-up (10-100 ms).

    Call only with the key in use; with no operator at all the key stands in the open.
    """
    from .datakey import KeyRing, seal_to_recovery, wrap_for_operator

    operators = dict(ring.operators)
    for agent_id, pin_hash in pin_hashes.items():
        wrap = operators.get(agent_id)
        if wrap is None or wrap.salt_bytes() != _salt_of(pin_hash):
            made = wrap_for_operator(agent_id, pin_hash, key)
            if made is not None:
                operators[agent_id] = made
    recovery_seal = ring.recovery
    if recovery is not None and (recovery_seal is None or recovery_seal.get("recipient") != recovery):
        from .recovery import load_public  # X25519 loads only for a new seal

        recovery_seal = seal_to_recovery(load_public(recovery), key)
    return KeyRing(store_salt=ring.store_salt, open_key=None if operators else key.hex(), operators=operators,
                   recovery=recovery_seal, sign_in=ring.sign_in)


def _salt_of(pin_hash: str) -> bytes | None:
    from .pins import split_pin_hash

    parts = split_pin_hash(pin_hash)
    return parts[0] if parts else None


def save_if_changed(home: StationHome, before: KeyRing, after: KeyRing) -> None:
    from .datakey import write_ring

    if after.to_json() != before.to_json():
        write_ring(home.root / KEYS_FILE, after)


def unlock(ring: KeyRing, credentials: Credentials) -> bytes:
    """The data key, from the open key, a PIN or the recovery key; :class:`StoreLocked` otherwise."""
    if ring.open_key:
        return bytes.fromhex(ring.open_key)
    for pin in credentials.pins():
        key = ring.unwrap_pin(pin, ring.candidates(credentials.agent), credentials.digests)
        if key is not None:
            return key
    if credentials.recovery_key:
        from .recovery import parse_recovery_key  # X25519 loads only for the recovery key

        key = ring.unwrap_recovery(parse_recovery_key(credentials.recovery_key))
        if key is not None:
            return key
        raise StoreLocked("给出的恢复密钥打不开本站数据：请核对（station rekey 之后要用新的恢复密钥）")
    if credentials.pins():
        raise StoreLocked("给出的密码不是本站任何一位操作员的密码：数据仍锁着，请核对 STATION_PIN")
    raise StoreLocked(LOCKED_TEXT)
