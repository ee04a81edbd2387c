"""A long-lived process (the server's worker) keeps the project's reflected schema, and reflects
again when a migration changed it, on every database; a request searches the person once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from policykeeper.engine import Identity, places
from policykeeper.engine.runtime import refresh, runtime
from policykeeper.project import Project


def test_a_migration_is_seen_before_the_next_request(ainema: Project, database_url: str) -> None:
    first = runtime(ainema)
    assert not refresh(ainema), "nothing changed: nothing is reflected again"
    assert runtime(ainema) is first
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE favorites ADD COLUMN note VARCHAR(40)")
    assert refresh(ainema)
    second = runtime(ainema)
    assert second is not first and "note" in second.tables["favorites"].c
    assert not refresh(ainema)
    # A new table pointing at people: erasure must know of it before it deletes anyone.
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE gifts (id INTEGER PRIMARY KEY, user_id INTEGER,"
            " FOREIGN KEY (user_id) REFERENCES users (id))"
        )
    engine.dispose()
    assert refresh(ainema)
    third = runtime(ainema)
    assert ("gifts", "users") in {
        (fk.child, fk.parent) for fk in third.sources["main"].foreign_keys
    }


@contextmanager
def statements(project: Project) -> Iterator[list[str]]:
    """Every statement the project's service database receives meanwhile."""
    sent: list[str] = []
    engine = runtime(project).sources["main"].engine

    def listen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)


@pytest.mark.parametrize("action", ["access", "erase"])
def test_the_person_is_searched_once_per_request(
    ainema: Project, database_url: str, action: str
) -> None:
    """The places' search (which finds the values other places are located from) is the one
    the SQL access or erasure works from: the identity is looked up once, not twice."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        email = connection.execute(sa.text("SELECT email FROM users WHERE id = 7")).scalar_one()
    engine.dispose()
    runtime(ainema)
    with statements(ainema) as sent:
        if action == "access":
            found = places.access(ainema, Identity("email", email))
            assert found.sql.tables["users"][0]["id"] == 7
        else:
            report = places.erase(ainema, Identity("email", email)).to_json()
            assert report["verified"] is True and report["complete"] is True
    lookups = [s for s in sent if "FROM users WHERE" in s and "users.email" in s.split("WHERE")[1]]
    assert len(lookups) == 1, lookups
