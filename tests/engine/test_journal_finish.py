"""The erasure journal's finish, written after the service database committed: a run whose
finish never reaches the store (the process died in between) is resumed from the person as it
found them and ends where an uninterrupted run ends, with the same held rows recorded."""

from __future__ import annotations

import random
import shutil
from typing import Any

import pytest
import sqlalchemy as sa
from engine_kit import PEOPLE, snapshot

from policykeeper.engine import Identity, decide, erase
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


def _pointing_at_the_person(database_url: str) -> set[tuple[str, tuple[Any, ...]]]:
    """Every row of another table whose foreign key points at the person's users row."""
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
    return pointing


def test_a_row_kept_for_the_held_rows_that_point_at_it_is_held_until_the_last_of_them(
    ainema: Project, database_url: str
) -> None:
    """The person's users row is kept while held rows of several tables point at it (tips,
    coin ledger, the creator profile): it is held as long as the longest of them, whichever
    table is read first. The profile is kept for good (the catalogue's series, never erased,
    point at it), so the users row is kept with no date either, not until the ledger's date."""
    pointing = _pointing_at_the_person(database_url)
    try:
        erase(ainema, SUBJECT)
        holds = state_for(ainema).holds()
    finally:
        release(ainema)
    held = [h for h in holds if (h.table, tuple(h.key)) in pointing]
    dates = {str(h.delete_after) for h in held if h.delete_after is not None}
    assert len(dates) > 1, "held rows of different dates point at the person"
    (profile,) = [h for h in held if h.table == "creator_profiles"]
    assert profile.delete_after is None
    assert profile.reason.startswith("referenced by rows of series that are not erased")
    (person,) = [h for h in holds if h.table == "users"]
    assert person.delete_after is None
    assert person.reason == "referenced by rows of creator_profiles that are kept"


def test_how_long_a_row_kept_for_references_is_held_does_not_depend_on_their_order(
    ainema: Project, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The references read in any order give the same kept rows, reasons and dates: a date
    never wins over a row that keeps the parent for good (read first or last), and a chain
    (payouts, profile, user) carries the longest hold to its end."""
    settle = decide._settle
    seen = []
    for seed in range(6):

        def shuffled(*args: Any, seed: int = seed) -> None:
            *rest, pointed = args
            pointed = list(pointed)
            random.Random(seed).shuffle(pointed)
            settle(*rest, pointed)

        monkeypatch.setattr(decide, "_settle", shuffled)
        tables = erase(ainema, SUBJECT, dry_run=True).to_json()["tables"]
        seen.append({name: table["kept_rows"] for name, table in tables.items()})
    assert all(one == seen[0] for one in seen[1:])
    (person,) = seen[0]["users"]
    assert person["delete_after"] is None
