"""Staff accounts and console sessions: argon2 password hashes, lock-out after repeated failures, sessions
stored as token hashes with their CSRF token. Functions take the caller's Session and never commit.

There are no default accounts: `winbot staff add USERNAME --role ... --password-stdin` creates them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db.models import StaffRole, StaffSession, StaffUser, utcnow

MIN_PASSWORD_CHARS = 12
#: Failed logins in a row before an account is locked, and for how long.
LOCK_AFTER = 5
LOCK_FOR = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=10)
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
_hasher = PasswordHasher()
#: Verified against when the username is unknown, so a wrong name costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class StaffError(ValueError):
    """A request about an account that cannot be done; the message says why (for operators)."""


@dataclass(frozen=True)
class Staff:
    """Who is logged in (what the console and its routes need)."""

    id: int
    username: str
    role: StaffRole
    region: str | None

    def may_see_region(self, region: str | None) -> bool:
        """Admins see every region; staff their own region and the national queue (region unknown)."""
        return self.role is StaffRole.ADMIN or region is None or region == self.region


def _staff(user: StaffUser) -> Staff:
    return Staff(user.id, user.username, user.role, user.region)


def add_staff(db: Session, username: str, password: str, role: StaffRole, region: str | None = None) -> StaffUser:
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise StaffError("a username is 2-63 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit")
    if len(password) < MIN_PASSWORD_CHARS:
        raise StaffError(f"the password must be at least {MIN_PASSWORD_CHARS} characters")
    if role is StaffRole.STAFF and not region:
        raise StaffError("staff need --region (their WIN-punt's labour-market region)")
    if db.scalar(select(StaffUser).where(StaffUser.username == username)) is not None:
        raise StaffError(f"{username} exists already")
    user = StaffUser(username=username, password_hash=_hasher.hash(password), role=role, region=region or None)
    db.add(user)
    db.flush()
    return user


def list_staff(db: Session) -> list[StaffUser]:
    return list(db.scalars(select(StaffUser).order_by(StaffUser.username)))


def disable_staff(db: Session, username: str) -> None:
    user = db.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
    if user is None:
        raise StaffError(f"no staff account {username}")
    user.active = False
    db.execute(delete(StaffSession).where(StaffSession.staff_id == user.id))


class LoginRefused(Exception):  # noqa: N818
    """Wrong name or password, disabled, or locked (``locked``: the account is locked for a while)."""

    def __init__(self, locked: bool = False) -> None:
        super().__init__("locked" if locked else "refused")
        self.locked = locked


def authenticate(db: Session, username: str, password: str, now: dt.datetime | None = None) -> Staff:
    """The staff member, or LoginRefused. Five failures in a row lock the account for 15 minutes."""
    now = now or utcnow()
    user = db.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        raise LoginRefused()
    if user.locked_until is not None and user.locked_until > now:
        raise LoginRefused(locked=True)
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= LOCK_AFTER:
            user.locked_until = now + LOCK_FOR
            user.failed_logins = 0
            raise LoginRefused(locked=True)
        raise LoginRefused()
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return _staff(user)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(db: Session, staff: Staff, now: dt.datetime | None = None) -> tuple[str, str]:
    """A new session: (the cookie's token, the CSRF token). Expired sessions are removed on the way."""
    now = now or utcnow()
    db.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    db.add(StaffSession(token_hash=_token_hash(token), staff_id=staff.id, csrf=csrf, created_at=now,
                        expires_at=now + SESSION_LIFETIME))
    return token, csrf


def session_staff(db: Session, token: str | None, now: dt.datetime | None = None) -> tuple[Staff, str] | None:
    """The staff member and CSRF token of a live session; None when missing, expired or disabled."""
    if not token:
        return None
    row = db.get(StaffSession, _token_hash(token))
    if row is None or row.expires_at <= (now or utcnow()):
        return None
    user = db.get(StaffUser, row.staff_id)
    if user is None or not user.active:
        return None
    return _staff(user), row.csrf


def close_session(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def csrf_valid(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
