"""Retention that runs: declared periods bound to the data map and swept from the databases.

`retention_plan` counts what is due; `retention_run` applies it in short batches; legal holds
pause both this and the engine's erasure. Every function takes `now`, the clock tests fake.
"""

from policykeeper.retention.holds import add_hold, list_holds, release_hold
from policykeeper.retention.plan import RetentionPlan, retention_plan
from policykeeper.retention.run import RunReport, retention_run

__all__ = [
    "RetentionPlan",
    "RunReport",
    "add_hold",
    "list_holds",
    "release_hold",
    "retention_plan",
    "retention_run",
]
