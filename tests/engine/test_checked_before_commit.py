"""An erasure's changes and its verification go to the database together (one round trip on
PostgreSQL): a change that misses its rows, or a search that finds the person's data changed
meanwhile, still rolls everything back with a message that says so, on every database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from engine_kit import snapshot

from policykeeper.engine import Identity, erase
from policykeeper.errors import SchemaConflict
from policykeeper.project import Project

SUBJECT = Identity("user_id", "21")
"""Someone with viewing history (every AInema person has some)."""

ADDS_A_ROW = {
    "sqlite": [
        "CREATE TRIGGER late AFTER UPDATE ON users BEGIN "
        "INSERT INTO viewing_history VALUES (999999, NEW.id, 1, 5, 5, '2026-01-01 00:00:00'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION late() RETURNS trigger AS $$ BEGIN "
        "INSERT INTO viewing_history VALUES (999999, NEW.id, 1, 5, 5, '2026-01-01 00:00:00'); "
        "RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER late AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION late()",
    ],
    "mysql": [
        "CREATE TRIGGER late AFTER UPDATE ON users FOR EACH ROW "
        "INSERT INTO viewing_history VALUES (999999, NEW.id, 1, 5, 5, '2026-01-01 00:00:00')"
    ],
}
"""The app writes a new row for the person while the erasure runs (here, when it masks them)."""

TAKES_THE_ROWS = {
    "sqlite": [
        "CREATE TRIGGER early AFTER UPDATE ON users BEGIN "
        "DELETE FROM viewing_history WHERE user_id = NEW.id; END"
    ],
    "postgresql": [
        "CREATE FUNCTION early() RETURNS trigger AS $$ BEGIN "
        "DELETE FROM viewing_history WHERE user_id = NEW.id; RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER early AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION early()",
    ],
    "mysql": [
        "CREATE TRIGGER early AFTER UPDATE ON users FOR EACH ROW "
        "DELETE FROM viewing_history WHERE user_id = NEW.id"
    ],
}
"""Something else removes rows the erasure decided to delete, before it deletes them."""


def _install(url: str, triggers: dict[str, list[str]]) -> str:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in triggers[connection.dialect.name]:
            connection.exec_driver_sql(statement)
    engine.dispose()
    return url


def test_a_row_added_during_the_erasure_stops_it(ainema: Project, database_url: str) -> None:
    url = _install(database_url, ADDS_A_ROW)
    before = snapshot(url)
    with pytest.raises(SchemaConflict, match=r"verification failed \(did the person's data"):
        erase(ainema, SUBJECT)
    after = snapshot(url)
    assert after == before, "nothing may change, not even the trigger's row"
    assert (999999,) not in after["viewing_history"]


def test_rows_gone_before_their_deletion_stop_it(ainema: Project, database_url: str) -> None:
    url = _install(database_url, TAKES_THE_ROWS)
    before = snapshot(url)
    wanted = sum(1 for row in before["viewing_history"].values() if row["user_id"] == 21)
    assert wanted, "the person needs viewing history for this test"
    with pytest.raises(
        SchemaConflict, match=f"viewing_history: {wanted} rows to delete, 0 deleted; nothing"
    ):
        erase(ainema, SUBJECT)
    assert snapshot(url) == before


def test_the_erasure_runs_again_once_the_trigger_is_gone(
    ainema: Project, database_url: str
) -> None:
    """The failed run left a journal start and no change: a later run ends as a first would."""
    url = _install(database_url, TAKES_THE_ROWS)
    with pytest.raises(SchemaConflict):
        erase(ainema, SUBJECT)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("DROP TRIGGER early ON users")
        else:
            connection.exec_driver_sql("DROP TRIGGER early")
    engine.dispose()
    report = erase(ainema, SUBJECT).to_json()
    left = snapshot(url)
    assert report["verified"] is True
    assert not any(row["user_id"] == 21 for row in left["viewing_history"].values())
    assert report["tables"]["viewing_history"]["deleted"] > 0
