"""Identity proofs sent with requests live in PolicyKeeper's own store, not the service's.

The workflow purges each upload at the date it set when the upload arrived; the declared
rule (jasminai: 5 days) may be shorter, so the sweep also purges every proof older than the
rule's period, with an audit entry, as the workflow's own purge does.
"""

from __future__ import annotations

import time
from datetime import datetime

import sqlalchemy as sa

from policykeeper.policy.models import RetentionRule
from policykeeper.retention.batches import SweepStats
from policykeeper.retention.conditions import cutoff
from policykeeper.store import Store
from policykeeper.store.models import Upload
from policykeeper.workflow import audit


def purge_proofs(store: Store, rule: RetentionRule, now: datetime, actor: str) -> SweepStats:
    stats = SweepStats(rule.id, "uploads (PolicyKeeper store)", "delete")
    started = time.monotonic()
    with store.transaction() as session:
        due = list(
            session.execute(
                sa.select(Upload).where(
                    Upload.uploaded_at < cutoff(rule, now), Upload.purged_at.is_(None)
                )
            ).scalars()
        )
        for upload in due:
            upload.content, upload.purged_at = None, now
            audit.append(
                session,
                at=now,
                actor=actor,
                action="document_purged",
                request_id=upload.request_id,
                data={"upload": upload.id, "rule": rule.id},
            )
    stats.done = len(due)
    stats.timed(time.monotonic() - started)
    stats.seconds = time.monotonic() - started
    return stats
