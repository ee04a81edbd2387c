"""The erasure journal's finish, written after the service database committed: a run whose
finish never reaches the store (the process died in between) is resumed from the person as it
found them and ends where an uninterrupted run ends, with the same held rows recorded."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
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
