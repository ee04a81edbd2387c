"""Staff accounts, roles, API tokens and login sessions; passwords hashed with argon2.

Roles are ordered by need to know: a viewer reads the queue; a handler also decides, extends,
records fees, executes and downloads exports; an admin also manages staff.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from policykeeper.store import Store
from policykeeper.store.models import Staff, StaffToken
from policykeeper.workflow.errors import Conflict, Forbidden, Invalid, Unauthorized

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("policykeeper-timing-equaliser")


class Role(StrEnum):
    viewer = "viewer"
    handler = "handler"
    admin = "admin"


RANK = {Role.viewer: 0, Role.handler: 1, Role.admin: 2}


@dataclass(frozen=True)
class StaffMember:
    id: int
    username: str
    role: Role

    @property
    def actor(self) -> str:
        return f"staff:{self.username}"

    def require(self, role: Role) -> None:
        if RANK[self.role] < RANK[role]:
            raise Forbidden(f"this needs the {role.value} role")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffDirectory:
    def __init__(self, store: Store, clock: Callable[[], datetime], session_ttl: timedelta) -> None:
        self.store = store
        self.clock = clock
        self.session_ttl = session_ttl

    def create(self, username: str, password: str, role: Role | str) -> StaffMember:
        if not username.strip() or len(password) < 12:
            raise Invalid("a username and a password of at least 12 characters are required")
        with self.store.transaction() as session:
            exists = session.execute(
                sa.select(Staff.id).where(Staff.username == username)
            ).scalar_one_or_none()
            if exists is not None:
                raise Conflict(f"staff member {username!r} already exists")
            row = Staff(
                username=username,
                password_hash=_hasher.hash(password),
                role=Role(role).value,
                active=True,
                created_at=self.clock(),
            )
            session.add(row)
            session.flush()
            return StaffMember(row.id, row.username, Role(row.role))

    def login(self, username: str, password: str) -> str:
        """A new session token; the same error (and similar time) for any wrong pair."""
        with self.store.transaction() as session:
            row = session.execute(
                sa.select(Staff).where(Staff.username == username, Staff.active.is_(True))
            ).scalar_one_or_none()
            try:
                _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
            except (VerificationError, InvalidHashError):
                row = None
            if row is None:
                raise Unauthorized("wrong username or password")
            if _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = _hasher.hash(password)
            return self._issue(session, row.id, "session", self.clock() + self.session_ttl)

    def api_token(self, member: StaffMember, valid_for: timedelta | None = None) -> str:
        expires = self.clock() + valid_for if valid_for else None
        with self.store.transaction() as session:
            return self._issue(session, member.id, "api", expires)

    def revoke(self, token: str) -> None:
        with self.store.transaction() as session:
            session.execute(
                sa.update(StaffToken)
                .where(StaffToken.token_hash == _digest(token))
                .values(revoked_at=self.clock())
            )

    def authenticate(self, token: str) -> StaffMember:
        now = self.clock()
        with self.store.transaction() as session:
            found = session.execute(
                sa.select(StaffToken, Staff)
                .join(Staff, Staff.id == StaffToken.staff_id)
                .where(StaffToken.token_hash == _digest(token))
            ).one_or_none()
            if found is None:
                raise Unauthorized("not signed in")
            token_row, staff = found
            expired = token_row.expires_at is not None and token_row.expires_at <= now
            if token_row.revoked_at is not None or expired or not staff.active:
                raise Unauthorized("not signed in")
            return StaffMember(staff.id, staff.username, Role(staff.role))

    def _issue(self, session: Session, staff_id: int, kind: str, expires: datetime | None) -> str:
        token = secrets.token_urlsafe(32)
        session.add(
            StaffToken(
                staff_id=staff_id,
                kind=kind,
                token_hash=_digest(token),
                created_at=self.clock(),
                expires_at=expires,
            )
        )
        return token
