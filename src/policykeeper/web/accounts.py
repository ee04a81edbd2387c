"""Staff accounts as the console manages them: listing, role and status changes, and a
password change that signs the person out everywhere else.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from policykeeper.store import Store
from policykeeper.store.models import Staff, StaffToken
from policykeeper.workflow.errors import Invalid, NotFound, Unauthorized
from policykeeper.workflow.staff import Role

MIN_PASSWORD = 12
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: Role
    active: bool
    created_at: datetime


def accounts(store: Store) -> list[Account]:
    with store.transaction() as session:
        rows = session.execute(sa.select(Staff).order_by(Staff.username)).scalars()
        return [Account(r.id, r.username, Role(r.role), r.active, r.created_at) for r in rows]


def update_account(store: Store, staff_id: int, role: Role, active: bool, now: datetime) -> None:
    """Change a role or (de)activate; deactivation also ends every session and token."""
    with store.transaction() as session:
        row = session.get(Staff, staff_id, with_for_update=True)
        if row is None:
            raise NotFound("no such staff member")
        row.role, row.active = role.value, active
        if not active:
            session.execute(
                sa.update(StaffToken)
                .where(StaffToken.staff_id == staff_id, StaffToken.revoked_at.is_(None))
                .values(revoked_at=now)
            )


def change_password(
    store: Store, staff_id: int, current: str, new: str, keep_token: str, now: datetime
) -> None:
    """Check the current password, store the new one, and revoke all other sessions."""
    if len(new) < MIN_PASSWORD:
        raise Invalid(f"a password needs at least {MIN_PASSWORD} characters")
    with store.transaction() as session:
        row = session.get(Staff, staff_id, with_for_update=True)
        if row is None:
            raise NotFound("no such staff member")
        try:
            _hasher.verify(row.password_hash, current)
        except (VerificationError, InvalidHashError):
            raise Unauthorized("the current password is wrong") from None
        row.password_hash = _hasher.hash(new)
        session.execute(
            sa.update(StaffToken)
            .where(
                StaffToken.staff_id == staff_id,
                StaffToken.revoked_at.is_(None),
                StaffToken.token_hash != hashlib.sha256(keep_token.encode()).hexdigest(),
            )
            .values(revoked_at=now)
        )
