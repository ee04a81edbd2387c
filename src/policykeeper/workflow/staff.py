"""Staff accounts, roles, API tokens and login sessions; passwords hashed with argon2.

Roles are ordered by need to know: a viewer reads the queue; a handler also decides, extends,
records fees, executes and downloads exports; an admin also manages staff.

Every password check (the console's and the API's sign-in, the current password on a
password change) goes through one limiter that counts failures per username *and* source
address together: guessing from one address stops that address, while the person with the
right password signs in from anywhere else. Account changes are written to the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from policykeeper.store import Store
from policykeeper.store.models import RateEvent, Staff, StaffToken
from policykeeper.workflow import audit
from policykeeper.workflow.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthorized,
)
from policykeeper.workflow.inputs import plain_text
from policykeeper.workflow.settings import WorkflowSettings
from policykeeper.workflow.tokens import Secrets

MIN_PASSWORD = 12
USERNAME_MAX = 100
"""The store's column width: a longer name is refused, never cut."""
CACHE_SECONDS = 30.0
"""How long a hot path (the consent check) may reuse a verified token. Every revocation made
through a directory clears its cache at once; another process's revocation reaches this one's
cache within this time."""


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


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: Role
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    """An API token as its owner sees it: never the secret, which is shown once."""

    id: int
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedToken:
    id: int
    token: str
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffDirectory:
    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        settings: WorkflowSettings,
        secrets: Secrets,
    ) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.secrets = secrets
        self._cache: dict[str, tuple[float, StaffMember]] = {}
        self._cache_lock = threading.Lock()
        self._dummy_hash = self.hash_password("policykeeper-timing-equaliser")
        """Checked when the username is unknown, so that answer takes as long as a wrong one."""

    def hash_password(self, password: str) -> str:
        """argon2id, slow by design: callers run it outside any transaction (on SQLite a
        transaction holds the write lock, and every other writer would wait)."""
        return self.settings.password_hasher.hash(password)

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self.settings.password_hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    # --- accounts -------------------------------------------------------------------------

    def create(
        self, username: str, password: str, role: Role | str, actor: str = "system"
    ) -> StaffMember:
        """A new account; the one rule for names and passwords, whichever shell asks."""
        username = plain_text(username, "username", USERNAME_MAX)
        if not username or len(password) < MIN_PASSWORD:
            raise Invalid(
                f"a username and a password of at least {MIN_PASSWORD} characters are required"
            )
        password_hash = self.hash_password(password)
        with self.store.transaction() as session:
            exists = session.execute(
                sa.select(Staff.id).where(Staff.username == username)
            ).scalar_one_or_none()
            if exists is not None:
                raise Conflict(f"staff member {username!r} already exists")
            row = Staff(
                username=username,
                password_hash=password_hash,
                role=Role(role).value,
                active=True,
                created_at=self.clock(),
            )
            session.add(row)
            session.flush()
            self._audit(session, actor, "staff_created", {"staff": username, "role": row.role})
            return StaffMember(row.id, row.username, Role(row.role))

    def accounts(self) -> list[Account]:
        with self.store.transaction() as session:
            rows = session.execute(sa.select(Staff).order_by(Staff.username)).scalars()
            return [Account(r.id, r.username, Role(r.role), r.active, r.created_at) for r in rows]

    def update(self, staff_id: int, role: Role, active: bool, actor: str) -> None:
        """Change a role or (de)activate; deactivation ends every session and token at once."""
        now = self.clock()
        with self.store.transaction() as session:
            row = session.get(Staff, staff_id, with_for_update=True)
            if row is None:
                raise NotFound("no such staff member")
            row.role, row.active = role.value, active
            if not active:
                self._revoke_all(session, staff_id, now)
            self._audit(
                session,
                actor,
                "staff_updated",
                {"staff": row.username, "role": role.value, "active": active},
            )
        self._forget()

    def change_password(
        self, member: StaffMember, current: str, new: str, keep_token: str, source: str
    ) -> None:
        """Check the current password (limited like a sign-in), store the new one, and revoke
        every other session and token."""
        if len(new) < MIN_PASSWORD:
            raise Invalid(f"a password needs at least {MIN_PASSWORD} characters")
        now = self.clock()
        self._check_limits(member.username, source, now)
        checked = self._password_hash(member.id)
        if checked is None:
            raise NotFound("no such staff member")
        wrong = not self._matches(checked, current)
        replacement = None if wrong else self.hash_password(new)
        if replacement is not None:
            with self.store.transaction() as session:
                row = session.get(Staff, member.id, with_for_update=True)
                if row is None:
                    raise NotFound("no such staff member")
                if row.password_hash != checked:
                    raise Conflict("the password changed meanwhile; please try again")
                row.password_hash = replacement
                self._revoke_all(session, member.id, now, keep=_digest(keep_token))
                self._audit(session, member.actor, "password_changed", {"staff": row.username})
        if wrong:
            self._failed(member.username, source, now)
            raise Unauthorized("the current password is wrong")
        self._forget()

    # --- signing in ------------------------------------------------------------------------

    def login(self, username: str, password: str, source: str) -> str:
        """A new session token; the same error (and similar time) for any wrong pair. Too many
        failures for this username from this source refuse the pair for a while."""
        now = self.clock()
        self._check_limits(username, source, now)
        with self.store.transaction() as session:
            found = session.execute(
                sa.select(Staff.id, Staff.password_hash).where(
                    Staff.username == username, Staff.active.is_(True)
                )
            ).one_or_none()
        # argon2 runs outside any transaction: on SQLite a transaction holds the write lock.
        if self._matches(found.password_hash if found else self._dummy_hash, password):
            assert found is not None
            hasher = self.settings.password_hasher
            rehashed = (
                hasher.hash(password) if hasher.check_needs_rehash(found.password_hash) else None
            )
            with self.store.transaction() as session:
                row = session.get(Staff, found.id, with_for_update=True)
                # Deactivated or given a new password meanwhile: the checked pair no longer holds.
                if row is not None and row.active and row.password_hash == found.password_hash:
                    if rehashed is not None:
                        row.password_hash = rehashed
                    return self._issue(session, row.id, "session", now + self.settings.session_ttl)
        self._failed(username, source, now)
        raise Unauthorized("wrong username or password")

    def _buckets(self, username: str, source: str) -> list[tuple[str, int]]:
        pair = self.secrets.keyed_hash("login", f"{username.casefold()}\0{source}")[:40]
        return [
            (f"login:{pair}", self.settings.login_failures),
            (f"login-source:{source}"[:128], self.settings.login_failures_per_address),
        ]

    def _check_limits(self, username: str, source: str, now: datetime) -> None:
        since = now - self.settings.rate_window
        with self.store.transaction() as session:
            for bucket, limit in self._buckets(username, source):
                failures = session.execute(
                    sa.select(sa.func.count())
                    .select_from(RateEvent)
                    .where(RateEvent.bucket == bucket, RateEvent.at > since)
                ).scalar_one()
                if failures >= limit:
                    raise RateLimited("too many wrong passwords; please try again later")

    def _failed(self, username: str, source: str, now: datetime) -> None:
        with self.store.transaction() as session:
            for bucket, _limit in self._buckets(username, source):
                session.add(RateEvent(bucket=bucket, at=now))

    # --- tokens -----------------------------------------------------------------------------

    def api_token(
        self, member: StaffMember, valid_for: timedelta | None = None, label: str = ""
    ) -> str:
        return self.issue_api_token(member, valid_for, label).token

    def issue_api_token(
        self, member: StaffMember, valid_for: timedelta | None = None, label: str = ""
    ) -> IssuedToken:
        """An API token with the member's role that expires (by default after
        `api_token_ttl`, never later than `api_token_max_ttl`)."""
        lifetime = valid_for or self.settings.api_token_ttl
        if lifetime <= timedelta(0) or lifetime > self.settings.api_token_max_ttl:
            raise Invalid(
                f"a token lives at most {self.settings.api_token_max_ttl.days} days "
                "and more than none"
            )
        now = self.clock()
        with self.store.transaction() as session:
            token = self._issue(session, member.id, "api", now + lifetime, label[:100])
            row = session.execute(
                sa.select(StaffToken).where(StaffToken.token_hash == _digest(token))
            ).scalar_one()
            self._audit(
                session, member.actor, "token_created", {"token": row.id, "label": row.label}
            )
            return IssuedToken(row.id, token, now + lifetime)

    def tokens(self, member: StaffMember) -> list[TokenInfo]:
        """The member's API tokens, newest first, revoked and expired ones included."""
        with self.store.transaction() as session:
            rows = session.execute(
                sa.select(StaffToken)
                .where(StaffToken.staff_id == member.id, StaffToken.kind == "api")
                .order_by(StaffToken.id.desc())
            ).scalars()
            return [
                TokenInfo(r.id, r.label or "", r.created_at, r.expires_at, r.revoked_at)
                for r in rows
            ]

    def revoke_token(self, member: StaffMember, token_id: int) -> None:
        """Revoke one of the member's API tokens (an admin may revoke anyone's)."""
        with self.store.transaction() as session:
            row = session.get(StaffToken, token_id, with_for_update=True)
            mine = row is not None and row.staff_id == member.id
            if row is None or row.kind != "api" or not (mine or member.role is Role.admin):
                raise NotFound("no such token")
            if row.revoked_at is None:
                row.revoked_at = self.clock()
                self._audit(session, member.actor, "token_revoked", {"token": row.id})
        self._forget()

    def revoke(self, token: str) -> None:
        """End a session or an API token (signing out with it)."""
        with self.store.transaction() as session:
            session.execute(
                sa.update(StaffToken)
                .where(StaffToken.token_hash == _digest(token), StaffToken.revoked_at.is_(None))
                .values(revoked_at=self.clock())
            )
        self._forget()

    def authenticate(self, token: str, *, cached: bool = False) -> StaffMember:
        """The member a session or API token belongs to. With `cached`, a token verified in the
        last CACHE_SECONDS is taken on trust, unless this directory revoked anything since."""
        digest = _digest(token)
        if cached:
            with self._cache_lock:
                found = self._cache.get(digest)
            if found is not None and found[0] >= time.monotonic():
                return found[1]
        now = self.clock()
        with self.store.transaction() as session:
            found_row = session.execute(
                sa.select(StaffToken, Staff)
                .join(Staff, Staff.id == StaffToken.staff_id)
                .where(StaffToken.token_hash == digest)
            ).one_or_none()
            if found_row is None:
                raise Unauthorized("not signed in")
            token_row, staff = found_row
            expired = token_row.expires_at is not None and token_row.expires_at <= now
            if token_row.revoked_at is not None or expired or not staff.active:
                raise Unauthorized("not signed in")
            member = StaffMember(staff.id, staff.username, Role(staff.role))
        if cached:
            with self._cache_lock:
                self._cache[digest] = (time.monotonic() + CACHE_SECONDS, member)
        return member

    def is_cached(self, token: str) -> bool:
        with self._cache_lock:
            found = self._cache.get(_digest(token))
        return found is not None and found[0] >= time.monotonic()

    def _password_hash(self, staff_id: int) -> str | None:
        with self.store.transaction() as session:
            return session.execute(
                sa.select(Staff.password_hash).where(Staff.id == staff_id)
            ).scalar_one_or_none()

    def _forget(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def _revoke_all(
        self, session: Session, staff_id: int, now: datetime, keep: str | None = None
    ) -> None:
        query = sa.update(StaffToken).where(
            StaffToken.staff_id == staff_id, StaffToken.revoked_at.is_(None)
        )
        if keep is not None:
            query = query.where(StaffToken.token_hash != keep)
        session.execute(query.values(revoked_at=now))

    def _issue(
        self,
        session: Session,
        staff_id: int,
        kind: str,
        expires: datetime | None,
        label: str | None = None,
    ) -> str:
        token = secrets.token_urlsafe(32)
        session.add(
            StaffToken(
                staff_id=staff_id,
                kind=kind,
                label=label or None,
                token_hash=_digest(token),
                created_at=self.clock(),
                expires_at=expires,
            )
        )
        session.flush()
        return token

    def _audit(self, session: Session, actor: str, action: str, data: dict[str, object]) -> None:
        audit.append(session, at=self.clock(), actor=actor, action=action, data=data)
