"""PolicyKeeper's own database: SQLAlchemy models, Alembic migrations, `migrate(url)`."""

from policykeeper.store.database import DATABASE_URL_ENV, Store, default_url, is_postgres
from policykeeper.store.migrate import migrate, migrated_store

__all__ = ["DATABASE_URL_ENV", "Store", "default_url", "is_postgres", "migrate", "migrated_store"]
