"""Identity proofs sent with requests live in PolicyKeeper's own store, not the service's.

The workflow purges each upload at the date the declared rule gave when it arrived
(jasminai: 5 days); the sweep applies the rule as it stands now, so uploads that arrived before
the rule was declared or shortened go too. Both use the workflow's one purge.
"""

from __future__ import annotations

import time
from datetime import datetime

from policykeeper.policy.models import RetentionRule
from policykeeper.retention.batches import SweepStats
from policykeeper.retention.conditions import cutoff
from policykeeper.store import Store
from policykeeper.store.models import Upload
from policykeeper.workflow.uploads import purge_uploads


def purge_proofs(store: Store, rule: RetentionRule, now: datetime, actor: str) -> SweepStats:
    stats = SweepStats(rule.id, "uploads (PolicyKeeper store)", "delete")
    started = time.monotonic()
    with store.transaction() as session:
        stats.done = purge_uploads(
            session,
            Upload.uploaded_at < cutoff(rule, now),
            now=now,
            actor=actor,
            data={"rule": rule.id},
        )
    stats.timed(time.monotonic() - started)
    stats.seconds = time.monotonic() - started
    return stats
