"""How staff get and keep a password they alone know: an invitation by email with a one-time
link to set it, a forced change of a password an admin chose, a reset by email, and an
optional TOTP second factor (RFC 6238, pyotp) whose codes work once each.

Links are single-use and expire; only their SHA-256 is stored. A reset answers the same way
whether or not the name or address belongs to anyone, and is rate limited per address.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import sqlalchemy as sa

from policykeeper.store import Store
from policykeeper.store.models import RateEvent, Staff, StaffAccess, StaffLink, StaffToken
from policykeeper.workflow import audit
from policykeeper.workflow.errors import Conflict, Expired, Invalid, RateLimited
from policykeeper.workflow.inputs import parse_email
from policykeeper.workflow.mail import Mailer
from policykeeper.workflow.staff import MIN_PASSWORD, Role, StaffDirectory, StaffMember

INVITE_TTL = timedelta(days=3)
RESET_TTL = timedelta(hours=1)
RESETS_PER_ADDRESS = 5
"""Reset requests one source address may make within the rate window."""
CODE_FAILURES = 5
"""Wrong second-factor codes an account may get within the rate window before it waits."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Letter:
    """An email to a member of staff, already in their language."""

    subject: str
    body: str


class StaffAccounts:
    """Invitations, resets and forced changes, beside the staff directory."""

    def __init__(
        self,
        store: Store,
        directory: StaffDirectory,
        mailer: Mailer,
        clock: Callable[[], datetime],
        rate_window: timedelta,
    ) -> None:
        self.store, self.directory, self.mailer = store, directory, mailer
        self.clock, self.rate_window = clock, rate_window

    def invite(
        self,
        username: str,
        email: str,
        role: Role,
        actor: str,
        letter: Callable[[str], Letter],
    ) -> StaffMember:
        """An account with no usable password and a link, sent to `email`, to set one.
        `letter` turns the link's token into the email."""
        address = parse_email(email)
        with self.store.transaction() as session:
            taken = session.execute(
                sa.select(StaffAccess.staff_id).where(StaffAccess.email == address)
            ).first()
        if taken is not None:
            raise Conflict("another member of staff has this email address")
        member = self.directory.create(username, secrets.token_urlsafe(32), role, actor)
        with self.store.transaction() as session:
            session.add(StaffAccess(staff_id=member.id, email=address, must_change=False))
            token = self._link(session, member.id, "invite", INVITE_TTL)
            self._audit(session, actor, "staff_invited", {"staff": member.username})
        sent = letter(token)
        self.mailer.send(address, sent.subject, sent.body)
        return member

    def require_change(self, staff_id: int) -> None:
        """The password was chosen by an admin: the member must replace it at first sign-in."""
        with self.store.transaction() as session:
            access = session.get(StaffAccess, staff_id)
            if access is None:
                session.add(StaffAccess(staff_id=staff_id, must_change=True))
            else:
                access.must_change = True

    def must_change(self, staff_id: int) -> bool:
        with self.store.transaction() as session:
            access = session.get(StaffAccess, staff_id)
            return bool(access and access.must_change)

    def changed(self, staff_id: int) -> None:
        """The member chose their own password: no longer forced to change it."""
        with self.store.transaction() as session:
            access = session.get(StaffAccess, staff_id)
            if access is not None:
                access.must_change = False

    def request_reset(
        self, name_or_email: str, source: str, letter: Callable[[str], Letter]
    ) -> None:
        """Send a reset link to an active member found by username or address; the caller
        answers the same whatever happened here, so no one learns who has an account."""
        now = self.clock()
        bucket = f"staff-reset:{source}"[:128]
        with self.store.transaction() as session:
            used = session.execute(
                sa.select(sa.func.count())
                .select_from(RateEvent)
                .where(RateEvent.bucket == bucket, RateEvent.at > now - self.rate_window)
            ).scalar_one()
            if used >= RESETS_PER_ADDRESS:
                raise RateLimited("too many reset requests; please try again later")
            session.add(RateEvent(bucket=bucket, at=now))
            text = name_or_email.strip()[:320]
            found = session.execute(
                sa.select(Staff.id, StaffAccess.email)
                .join(StaffAccess, StaffAccess.staff_id == Staff.id)
                .where(
                    Staff.active.is_(True),
                    StaffAccess.email.is_not(None),
                    sa.or_(Staff.username == text, StaffAccess.email == text.lower()),
                )
            ).first()
            if found is None:
                return
            staff_id, address = found
            token = self._link(session, staff_id, "reset", RESET_TTL)
            self._audit(session, "system", "staff_reset_sent", {"staff_id": staff_id})
        sent = letter(token)
        self.mailer.send(str(address), sent.subject, sent.body)

    def link_purpose(self, token: str) -> str:
        """'invite' or 'reset' for a link that can still be used; Expired otherwise."""
        with self.store.transaction() as session:
            return self._usable(session, token).purpose

    def set_password(self, token: str, password: str) -> str:
        """Use a link once: store the new password, end every session of the account, and
        return the username to sign in with."""
        if len(password) < MIN_PASSWORD:
            raise Invalid(f"a password needs at least {MIN_PASSWORD} characters")
        with self.store.transaction() as session:
            self._usable(session, token)  # a dead link costs no hashing
        password_hash = self.directory.hash_password(password)  # outside the write lock
        now = self.clock()
        with self.store.transaction() as session:
            link = self._usable(session, token, lock=True)
            staff = session.get(Staff, link.staff_id, with_for_update=True)
            if staff is None or not staff.active:
                raise Expired("this link can no longer be used")
            link.used_at = now
            staff.password_hash = password_hash
            session.execute(
                sa.update(StaffToken)
                .where(StaffToken.staff_id == staff.id, StaffToken.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            access = session.get(StaffAccess, staff.id)
            if access is not None:
                access.must_change = False
            self._audit(session, f"staff:{staff.username}", "password_set", {"by": link.purpose})
            username = staff.username
        self.directory._forget()
        return username

    # --- the second factor -------------------------------------------------------------

    def totp_enabled(self, staff_id: int) -> bool:
        with self.store.transaction() as session:
            access = session.get(StaffAccess, staff_id)
            return bool(access and access.totp_secret)

    def start_totp(self, staff_id: int) -> str:
        """A new secret to add to an authenticator app; it counts once a code confirms it."""
        secret = pyotp.random_base32()
        with self.store.transaction() as session:
            access = session.get(StaffAccess, staff_id, with_for_update=True)
            if access is None:
                access = StaffAccess(staff_id=staff_id, must_change=False)
                session.add(access)
            access.totp_pending = secret
        return secret

    def pending_totp(self, staff_id: int) -> str | None:
        with self.store.transaction() as session:
            access = session.get(StaffAccess, staff_id)
            return access.totp_pending if access else None

    def confirm_totp(self, member: StaffMember, code: str) -> bool:
        """Turn the second factor on when `code` comes from the pending secret."""
        with self.store.transaction() as session:
            access = session.get(StaffAccess, member.id, with_for_update=True)
            if access is None or not access.totp_pending:
                return False
            step = self._step(access.totp_pending, code, None)
            if step is None:
                return False
            access.totp_secret, access.totp_pending, access.totp_step = (
                access.totp_pending,
                None,
                step,
            )
            self._audit(session, member.actor, "totp_enabled", {"staff": member.username})
        return True

    def check_totp(self, staff_id: int, code: str) -> bool:
        """True when the account has no second factor, or `code` is current and unused;
        too many wrong codes make the account wait (RateLimited)."""
        now = self.clock()
        bucket = f"staff-totp:{staff_id}"
        with self.store.transaction() as session:
            access = session.get(StaffAccess, staff_id, with_for_update=True)
            if access is None or not access.totp_secret:
                return True
            failures = session.execute(
                sa.select(sa.func.count())
                .select_from(RateEvent)
                .where(RateEvent.bucket == bucket, RateEvent.at > now - self.rate_window)
            ).scalar_one()
            if failures >= CODE_FAILURES:
                raise RateLimited("too many wrong codes; please try again later")
            step = self._step(access.totp_secret, code, access.totp_step)
            if step is None:
                session.add(RateEvent(bucket=bucket, at=now))
                return False
            access.totp_step = step
            return True

    def _step(self, secret: str, code: str, last: int | None) -> int | None:
        """The time step `code` belongs to (this one or a neighbour, for clock drift), if it
        is later than the last one used."""
        totp = pyotp.TOTP(secret)
        now = self.clock()
        code = "".join(ch for ch in code if ch.isdigit())
        for offset in (0, -1, 1):
            moment = now + timedelta(seconds=offset * totp.interval)
            step = totp.timecode(moment)
            if (last is None or step > last) and pyotp.utils.strings_equal(totp.at(moment), code):
                return step
        return None

    def _usable(self, session: sa.orm.Session, token: str, lock: bool = False) -> StaffLink:
        query = sa.select(StaffLink).where(StaffLink.token_hash == _digest(token))
        link = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
        if link is None or link.used_at is not None or link.expires_at <= self.clock():
            raise Expired("this link has expired or was already used")
        return link

    def _link(self, session: sa.orm.Session, staff_id: int, purpose: str, ttl: timedelta) -> str:
        now = self.clock()
        # A new link replaces the member's earlier ones of the same purpose.
        session.execute(
            sa.update(StaffLink)
            .where(
                StaffLink.staff_id == staff_id,
                StaffLink.purpose == purpose,
                StaffLink.used_at.is_(None),
            )
            .values(expires_at=now)
        )
        token = secrets.token_urlsafe(32)
        session.add(
            StaffLink(
                staff_id=staff_id,
                purpose=purpose,
                token_hash=_digest(token),
                created_at=now,
                expires_at=now + ttl,
            )
        )
        return token

    def _audit(
        self, session: sa.orm.Session, actor: str, action: str, data: dict[str, object]
    ) -> None:
        session.flush()
        audit.append(session, at=self.clock(), actor=actor, action=action, data=data)
