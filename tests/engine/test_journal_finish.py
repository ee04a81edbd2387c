"""The erasure journal's finish, written after the service database committed: a run whose
finish never reaches the store (the process died in between) is resumed from the person as it
found them and ends where an uninterrupted run ends, with the same held rows recorded."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
import sqlalchemy as sa
from engine_kit import PEOPLE, snapshot

from policykeeper.engine import Identity, erase
from policykeeper.engine.runtime import release
from policykeeper.engine.state import STATE_DIR, StoreState, state_for
from policykeeper.examples.generation import generate
from policykeeper.project import Project, load_project

SUBJECT = Identity("user_id", "21")
"""Someone with coin ledger rows, which the transactions rule holds (so holds are recorded)."""


def _erased_once(project: Project) -> tuple[dict[str, Any], list[Any]]:
    report = erase(project, SUBJECT).to_json()
    return report, sorted(map(repr, state_for(project).holds()))


def test_an_erasure_whose_finish_was_never_written_is_resumed_to_the_same_end(
    ainema: Project, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = ainema.directory
    with monkeypatch.context() as patched:  # the process dies right after the commit
        patched.setattr(StoreState, "finish", lambda *_args, **_kwargs: None)
        erase(ainema, SUBJECT)
    release(ainema)
    changed = snapshot(database_url)

    project = load_project(directory)
    try:
        started = state_for(project).journal(SUBJECT.digest(), "erase")
        assert started is not None and started.report is None, "only the start was written"
        resumed, holds = _erased_once(project)
        assert resumed["verified"] is True and resumed["repeated"] is False
        assert resumed["totals"]["deleted"] == 0, "everything was already deleted"
        assert holds, "the resumed run records the held coin ledger rows"
        assert erase(project, SUBJECT).to_json()["repeated"] is True, "now finished"
    finally:
        release(project)
    assert snapshot(database_url) == changed, "the resumed run changes nothing more"

    generate("ainema", database_url, PEOPLE, progress=False)
    shutil.rmtree(directory / STATE_DIR)
    project = load_project(directory)
    try:
        once, held_once = _erased_once(project)
    finally:
        release(project)
    assert once["totals"]["deleted"] > 0
    assert snapshot(database_url) == changed, "the same end as one uninterrupted run"
    assert holds == held_once


def test_a_row_kept_for_the_held_rows_that_point_at_it_is_held_until_the_last_of_them(
    ainema: Project, database_url: str
) -> None:
    """The person's users row is kept while held rows of several tables point at it (tips,
    coin ledger): it is held until the latest of their dates, whichever table is read first."""
    engine = sa.create_engine(database_url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    pointing: set[tuple[str, tuple[Any, ...]]] = set()
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for fk in table.foreign_keys:
                if fk.column.table.name != "users" or table.name == "users":
                    continue
                keys = table.primary_key.columns
                for row in connection.execute(
                    sa.select(*keys).where(fk.parent == int(SUBJECT.value))
                ):
                    pointing.add((table.name, tuple(row)))
    engine.dispose()
    try:
        erase(ainema, SUBJECT)
        holds = state_for(ainema).holds()
    finally:
        release(ainema)
    dates = [
        h.delete_after
        for h in holds
        if (h.table, tuple(h.key)) in pointing and h.delete_after is not None
    ]
    assert len({str(d) for d in dates}) > 1, "held rows of different dates point at the person"
    (person,) = [h for h in holds if h.table == "users"]
    assert str(person.delete_after) == str(max(dates))
