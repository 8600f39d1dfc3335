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

from sqlalchemy import Engine, delete, insert, select, update

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
    """Create the account, or replace its name and password (and unlock it); True when replaced."""
    row = {"name": name, "password_hash": hash_password(password), "failed_attempts": 0, "locked_until": None}
    with engine.begin() as conn:
        old = conn.execute(select(staff.c.id).where(staff.c.id == staff_id)).first()
        if old:
            conn.execute(update(staff).where(staff.c.id == staff_id).values(**row))
        else:
            created = datetime.now(timezone.utc).isoformat(timespec="seconds")
            conn.execute(insert(staff).values(id=staff_id, created_at=created, **row))
    return old is not None


def check_login(engine: Engine, staff_id: str, password: str, now: float) -> StaffAccount:
    """The account, or :class:`LoginRefused`; a failure is committed before it is raised."""
    with engine.begin() as conn:
        account, refusal = _judge_login(conn, staff_id, password, now)
    if refusal is not None:
        raise LoginRefused(refusal)
    assert account is not None
    return account


def _judge_login(conn: Any, staff_id: str, password: str, now: float) -> tuple[StaffAccount | None, str | None]:
    row = conn.execute(select(staff).where(staff.c.id == staff_id)).first()
    if row is None:
        verify_password(password, _dummy_hash())  # same work as a real check: no probing for ids
        return None, "工号或密码不对"
    if row.locked_until and row.locked_until > now:
        return None, f"连续输错密码次数过多，账号已锁定，请 {_minutes(row.locked_until - now)} 分钟后再试"
    if not verify_password(password, row.password_hash):
        failures = int(row.failed_attempts) + 1
        _record_failure(conn, row.id, failures, now)
        # The same words as for an unknown id until the lock: the answer must not tell which ids exist.
        return None, ("工号或密码不对" if failures < MAX_FAILURES
                      else f"密码连续输错 {MAX_FAILURES} 次，账号已锁定 {LOCK_SECONDS // 60} 分钟")
    conn.execute(update(staff).where(staff.c.id == row.id).values(failed_attempts=0, locked_until=None))
    return StaffAccount(row.id, row.name), None


def _record_failure(conn: Any, staff_id: str, failures: int, now: float) -> None:
    locked_until = now + LOCK_SECONDS if failures >= MAX_FAILURES else None
    values = {"failed_attempts": 0 if locked_until else failures, "locked_until": locked_until}
    conn.execute(update(staff).where(staff.c.id == staff_id).values(**values))


def _minutes(seconds: float) -> int:
    return max(1, int(seconds + 59) // 60)


def _dummy_hash() -> str:
    global _DUMMY_HASH
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
    sid, _, signature = (cookie or "").partition(".")
    if not sid or not signature or not hmac.compare_digest(_sign(key, sid), signature):
        return None
    return sid if sid.isascii() else None


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
