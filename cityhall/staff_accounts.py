"""Staff accounts of the city hall: scrypt password hashes, lockout, server-side sessions.

A password is stored as ``scrypt$N$r$p$salt$hash`` (salt 16 random bytes). After
``MAX_FAILURES`` wrong passwords in a row the account is locked for ``LOCK_SECONDS``;
an unknown id costs the same scrypt work as a known one, and gets the same answer.
A session id lives only in the cookie (HMAC-signed with the database's shared key);
the table keeps its SHA-256, the CSRF token and the expiry.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine, and_, case, delete, insert, or_, select, update

from .office_tables import SESSION_KEY_NAME, office_secrets, staff, staff_sessions

__all__ = ["StaffAccount", "LoginRefused", "Session", "hash_password", "verify_password", "add_staff",
           "check_login", "open_session", "find_session", "close_session", "session_key",
           "MAX_FAILURES", "LOCK_SECONDS", "SESSION_SECONDS", "password_problem"]

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
SESSION_SECONDS = 8 * 3600
"""One working day; the staff signs in again the next morning."""
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_DUMMY_HASH = ""


@dataclass(frozen=True)
class StaffAccount:
    id: str
    name: str


@dataclass(frozen=True)
class Session:
    staff: StaffAccount
    csrf_token: str
    expires_at: float


class LoginRefused(Exception):
    """Wrong id or password, or locked; the message is for people (Chinese)."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        digest = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                p=int(p), dklen=32)
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(_b64(digest), expected)


def password_problem(password: str | None) -> str | None:
    if not password:
        return "请用环境变量 CITYHALL_PASSWORD 给出密码"
    if len(password) < 10:
        return "密码至少 10 个字符"
    return None


def add_staff(engine: Engine, staff_id: str, name: str, password: str) -> bool:
    """Create the account, or replace its name and password (and unlock it); True when replaced.

    A replaced password ends the account's sessions: a reset is how a leaked password is
    taken back, and whoever signed in with it must not stay signed in for the day."""
    row = {"name": name, "password_hash": hash_password(password), "failed_attempts": 0, "locked_until": None}
    with engine.begin() as conn:
        old = conn.execute(select(staff.c.id).where(staff.c.id == staff_id)).first()
        if old:
            conn.execute(update(staff).where(staff.c.id == staff_id).values(**row))
            conn.execute(delete(staff_sessions).where(staff_sessions.c.staff_id == staff_id))
        else:
            created = datetime.now(timezone.utc).isoformat(timespec="seconds")
            conn.execute(insert(staff).values(id=staff_id, created_at=created, **row))
    return old is not None


def check_login(engine: Engine, staff_id: str, password: str, now: float) -> StaffAccount:
    """The account, or :class:`LoginRefused`.

    Each attempt first claims one of the ``MAX_FAILURES`` tries in one atomic UPDATE (a
    row lock on PostgreSQL, the write lock on SQLite), and only then is the password
    checked: however many wrong passwords arrive at once, at most ``MAX_FAILURES`` are
    ever evaluated before the account locks, and none are lost to a race.
    """
    row = _account(engine, staff_id)
    if row is None:
        verify_password(password, _dummy_hash())  # same work as a real check: no probing for ids
        raise LoginRefused("工号或密码不对")
    tries = _claim_try(engine, row.id, now)
    if tries is None:
        raise LoginRefused(_locked_message(engine, row.id, now))
    if verify_password(password, row.password_hash):
        with engine.begin() as conn:
            conn.execute(update(staff).where(staff.c.id == row.id).values(failed_attempts=0, locked_until=None))
        return StaffAccount(row.id, row.name)
    # The same words as for an unknown id until the lock: the answer must not tell which ids exist.
    raise LoginRefused("工号或密码不对" if tries < MAX_FAILURES
                       else f"密码连续输错 {MAX_FAILURES} 次，账号已锁定 {LOCK_SECONDS // 60} 分钟")


def _account(engine: Engine, staff_id: str) -> Any:
    if not _plausible_id(staff_id):
        return None
    with engine.connect() as conn:
        return conn.execute(select(staff).where(staff.c.id == staff_id)).first()


def _plausible_id(staff_id: str) -> bool:
    """An id the table could hold: PostgreSQL refuses NUL and over-long text outright (an error, not a miss)."""
    return 0 < len(staff_id) <= 32 and staff_id.isprintable()


def _claim_try(engine: Engine, staff_id: str, now: float) -> int | None:
    """Count this attempt as a failure until proven right; the try's number, or None when locked.

    A lock that has run out starts the count again. The try that reaches ``MAX_FAILURES``
    sets the lock in the same statement, so the attempts racing it find the account locked.
    """
    expired = and_(staff.c.locked_until.is_not(None), staff.c.locked_until <= now)
    tries = case((expired, 1), else_=staff.c.failed_attempts + 1)
    claim = (update(staff)
             .where(staff.c.id == staff_id,
                    or_(and_(staff.c.locked_until.is_(None), staff.c.failed_attempts < MAX_FAILURES), expired))
             .values(failed_attempts=tries,
                     locked_until=case((tries >= MAX_FAILURES, now + LOCK_SECONDS), else_=None))
             .returning(staff.c.failed_attempts))
    with engine.begin() as conn:
        claimed = conn.execute(claim).scalar()
    return None if claimed is None else int(claimed)


def _locked_message(engine: Engine, staff_id: str, now: float) -> str:
    with engine.connect() as conn:
        until = conn.execute(select(staff.c.locked_until).where(staff.c.id == staff_id)).scalar()
    return f"连续输错密码次数过多，账号已锁定，请 {_minutes((until or now + LOCK_SECONDS) - now)} 分钟后再试"


def _minutes(seconds: float) -> int:
    return max(1, int(seconds + 59) // 60)


def _dummy_hash() -> str:
    global _DUMMY_HASH  # noqa: PLW0603 - made once, on first use
    if not _DUMMY_HASH:
        _DUMMY_HASH = hash_password(secrets.token_hex(8))
    return _DUMMY_HASH


# -- sessions --------------------------------------------------------------------------

def session_key(engine: Engine) -> bytes:
    with engine.connect() as conn:
        value = conn.execute(select(office_secrets.c.value).where(office_secrets.c.name == SESSION_KEY_NAME)).scalar()
    return bytes.fromhex(str(value))


def _sign(key: bytes, sid: str) -> str:
    return hmac.new(key, sid.encode("ascii"), hashlib.sha256).hexdigest()


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("ascii")).hexdigest()


def open_session(engine: Engine, key: bytes, account: StaffAccount, now: float) -> str:
    """A new session; returns the cookie value ``sid.signature``."""
    sid = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(delete(staff_sessions).where(staff_sessions.c.expires_at < now))
        conn.execute(insert(staff_sessions).values(sid_hash=_sid_hash(sid), staff_id=account.id,
                                                   csrf_token=secrets.token_urlsafe(32),
                                                   expires_at=now + SESSION_SECONDS))
    return f"{sid}.{_sign(key, sid)}"


def _verified_sid(key: bytes, cookie: str | None) -> str | None:
    """The session id of a cookie this hub signed; None for anything else (non-ASCII bytes included)."""
    sid, _, signature = (cookie or "").partition(".")
    if not sid or not signature or not (sid.isascii() and signature.isascii()):
        return None
    return sid if hmac.compare_digest(_sign(key, sid), signature) else None


def find_session(engine: Engine, key: bytes, cookie: str | None, now: float) -> Session | None:
    sid = _verified_sid(key, cookie)
    if sid is None:
        return None
    query = (select(staff_sessions.c.csrf_token, staff_sessions.c.expires_at, staff.c.id, staff.c.name)
             .join(staff, staff.c.id == staff_sessions.c.staff_id)
             .where(staff_sessions.c.sid_hash == _sid_hash(sid)))
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.expires_at <= now:
        return None
    return Session(StaffAccount(row.id, row.name), row.csrf_token, row.expires_at)


def close_session(engine: Engine, key: bytes, cookie: str | None) -> None:
    sid = _verified_sid(key, cookie)
    if sid is not None:
        with engine.begin() as conn:
            conn.execute(delete(staff_sessions).where(staff_sessions.c.sid_hash == _sid_hash(sid)))
