"""Alembic environment: runs on the connection `migrate()` hands over, or opens its own."""

from __future__ import annotations

from alembic import context

from policykeeper.store import (
    check_models,  # noqa: F401  (registers the promise-check reports)
    consent_models,  # noqa: F401  (registers the consent tables)
    engine_models,  # noqa: F401  (registers the engine's journals and held rows)
    intake_models,  # noqa: F401  (registers requests recorded by staff)
    lifecycle_models,  # noqa: F401  (registers the policy version tables)
    records_models,  # noqa: F401  (registers the incident and provision record tables)
    retention_models,  # noqa: F401  (registers the retention tables)
    task_models,  # noqa: F401  (registers the place tasks of requests)
)
from policykeeper.store.database import make_engine
from policykeeper.store.models import Base

config = context.config
connection = config.attributes.get("connection")


def run(connection_to_use: object) -> None:
    context.configure(
        connection=connection_to_use,
        target_metadata=Base.metadata,
        render_as_batch=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as own_connection:
        run(own_connection)
    engine.dispose()
