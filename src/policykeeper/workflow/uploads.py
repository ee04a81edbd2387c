"""Identity documents uploaded with requests: the declared rule that keeps them, and their purge.

The workflow sets each upload's purge date from these rules when it arrives, and the retention
sweep applies them again to older uploads; both use this one definition and this one purge.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from policykeeper.policy.models import Policy, RetentionRule
from policykeeper.store.models import Upload
from policykeeper.workflow import audit

PROOF_CATEGORIES = ("user.authorization.identity_proof", "user.government_id")
"""Category keys of identity proofs, which only PolicyKeeper's own store holds."""


def about_proofs_only(rule: RetentionRule) -> bool:
    """Does the rule concern identity proofs and nothing else?"""
    return bool(rule.categories) and all(
        any(key == c or key.startswith(c + ".") for c in PROOF_CATEGORIES)
        for key in rule.categories
    )


def proof_rules(policy: Policy) -> list[RetentionRule]:
    """Enforced rules with a period that concern identity proofs and nothing else."""
    return [
        rule
        for rule in policy.retention
        if rule.enforced and rule.period is not None and about_proofs_only(rule)
    ]


def purge_uploads(
    session: Session,
    due: sa.ColumnElement[bool],
    *,
    now: datetime,
    actor: str,
    data: dict[str, Any] | None = None,
) -> int:
    """Drop the content of every unpurged upload matching `due`; the row and an audit entry stay."""
    uploads = list(
        session.execute(sa.select(Upload).where(due, Upload.purged_at.is_(None))).scalars()
    )
    for upload in uploads:
        upload.content, upload.purged_at = None, now
        audit.append(
            session,
            at=now,
            actor=actor,
            action="document_purged",
            request_id=upload.request_id,
            data={"upload": upload.id, **(data or {})},
        )
    return len(uploads)
