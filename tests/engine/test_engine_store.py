"""The engine's journals, restrictions and held rows live in PolicyKeeper's store, not in a
project folder: a job one worker host started is finished by another after a crash, and an
older install's `engine.sqlite3` is carried over without losing anyone's restriction."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from engine_kit import PEOPLE, copy_example, snapshot

from policykeeper.config import SLOW_ERASE_ENV
from policykeeper.engine import Identity, erase, is_restricted, restrict
from policykeeper.engine.runtime import release
from policykeeper.engine.state import STATE_DIR, import_legacy, state_for
from policykeeper.examples.generation import generate
from policykeeper.project import load_project
from policykeeper.store.engine_models import (
    EngineHold,
    EngineJournal,
    EnginePlaceRun,
    EngineRestriction,
)

ERASED = 21
ERASE = [sys.executable, "-m", "policykeeper.cli", "erase"]
STORE_TABLES = (EngineJournal, EngineRestriction, EngineHold, EnginePlaceRun)


def _host(tmp_path: Path, name: str) -> Path:
    """A worker host's own copy of the project: nothing of its state folder is shared."""
    return copy_example("ainema", tmp_path / name)


def _journal(state_url: str) -> dict[str, Any] | None:
    engine = sa.create_engine(state_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(sa.select(EngineJournal)).mappings().first()
    except sa.exc.ProgrammingError:  # not migrated yet
        row = None
    finally:
        engine.dispose()
    return dict(row) if row else None


def _theirs(url: str, rows: dict[str, dict[Any, dict[str, Any]]]) -> set[tuple[str, Any]]:
    """The erased person's rows, found in SQL's own terms: their account, then every row whose
    foreign key points at one of theirs, until nothing new is reached."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    engine.dispose()
    mine = {("users", (ERASED,))}
    grew = True
    while grew:
        grew = False
        for table in metadata.tables.values():
            for fk in table.foreign_keys:
                parent, column, target = fk.column.table.name, fk.parent.name, fk.column.name
                values = {rows[parent][k][target] for t, k in mine if t == parent}
                for key, row in rows[table.name].items():
                    if row[column] in values and (table.name, key) not in mine:
                        mine.add((table.name, key))
                        grew = True
    return mine


def _others_unchanged(
    url: str,
    before: dict[str, dict[Any, dict[str, Any]]],
    after: dict[str, dict[Any, dict[str, Any]]],
) -> None:
    """Every row that is not the erased person's is byte-identical."""
    theirs = _theirs(url, before)
    assert len(theirs) > 5
    for table, rows in before.items():
        for key, row in rows.items():
            if (table, key) not in theirs:
                assert after[table].get(key) == row, (table, key)


def test_a_job_killed_on_one_host_is_finished_by_another(
    sqlite_url: str, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, state = sqlite_url, postgres_url
    generate("ainema", service, PEOPLE, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", service)
    first, second = _host(tmp_path, "host-a"), _host(tmp_path, "host-b")
    before = snapshot(service)
    env = {
        **os.environ,
        "AINEMA_DATABASE_URL": service,
        "POLICYKEEPER_DATABASE_URL": state,
    }

    process = subprocess.Popen(
        [*ERASE, str(first), "--identity", f"user_id={ERASED}"],
        env={**env, SLOW_ERASE_ENV: "0.5"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while _journal(state) is None:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the erasure never started"
        time.sleep(0.05)
    time.sleep(0.8)
    assert process.poll() is None, "the erasure finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    started = _journal(state)
    assert started is not None and started["report"] is None, "killed mid-run"
    assert snapshot(service) == before, "a killed run must leave no partial changes"
    assert not (second / STATE_DIR / "state.sqlite3").exists()

    done = subprocess.run(
        [*ERASE, str(second), "--identity", f"user_id={ERASED}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    finished = _journal(state)
    assert finished is not None and finished["report"] is not None
    assert finished["started_at"] == started["started_at"], "resumed, not started again"
    assert finished["roots"] == started["roots"]
    resumed = snapshot(service)
    _others_unchanged(service, before, resumed)
    email = before["users"][(ERASED,)]["email"]
    engine = sa.create_engine(service)
    with engine.connect() as connection:
        left = connection.execute(
            sa.text("SELECT count(*) FROM users WHERE email = :e OR (id = :u AND email = :e)"),
            {"e": email, "u": ERASED},
        ).scalar()
        hashed = connection.execute(
            sa.text("SELECT password_hash FROM users WHERE id = :u"), {"u": ERASED}
        ).scalar()
    engine.dispose()
    assert (left, hashed) == (0, None), "the account is kept for its held rows, masked"

    # The same erasure uninterrupted, on a fresh copy of the data and a fresh journal.
    generate("ainema", service, PEOPLE, progress=False)
    assert snapshot(service) == before
    engine = sa.create_engine(state)
    with engine.begin() as connection:
        for model in STORE_TABLES:
            connection.execute(sa.delete(model))
    engine.dispose()
    project = load_project(second, state)
    try:
        assert erase(project, Identity("user_id", str(ERASED))).to_json()["verified"] is True
    finally:
        release(project)
    assert snapshot(service) == resumed


LEGACY_SCHEMA = """
CREATE TABLE journal (request VARCHAR(64) NOT NULL, action VARCHAR(20) NOT NULL,
  roots TEXT NOT NULL, done TEXT NOT NULL, report TEXT, started_at DATETIME NOT NULL,
  finished_at DATETIME, PRIMARY KEY (request, action));
CREATE TABLE restrictions (subject VARCHAR(255) NOT NULL, since DATETIME NOT NULL,
  PRIMARY KEY (subject));
CREATE TABLE holds (table_name VARCHAR(255) NOT NULL, row_key VARCHAR(255) NOT NULL,
  rule VARCHAR(100), reason TEXT NOT NULL, delete_after DATE, recorded_at DATETIME NOT NULL,
  PRIMARY KEY (table_name, row_key));
CREATE TABLE place_runs (run_key VARCHAR(128) NOT NULL, action VARCHAR(20) NOT NULL,
  person TEXT, results TEXT NOT NULL, report TEXT, started_at DATETIME NOT NULL,
  finished_at DATETIME, PRIMARY KEY (run_key, action));
"""
"""The tables an older PolicyKeeper kept in `DIR/.policykeeper/engine.sqlite3`."""


def _legacy_value(value: Any) -> Any:
    """As the old file stored it: naive UTC timestamps and ISO dates as text."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _write_legacy(state_url: str, path: Path) -> dict[str, int]:
    """An old install's engine file holding what the store at `state_url` holds."""
    engine = sa.create_engine(state_url)
    old = sqlite3.connect(path)
    old.executescript(LEGACY_SCHEMA)
    counts = {}
    names = dict(zip(STORE_TABLES, ("journal", "restrictions", "holds", "place_runs"), strict=True))
    with engine.connect() as connection:
        for model, name in names.items():
            rows = connection.execute(sa.select(model.__table__)).mappings().all()
            for row in rows:
                columns = list(row)
                old.execute(
                    f"INSERT INTO {name} ({', '.join(columns)}) VALUES "
                    f"({', '.join('?' for _ in columns)})",
                    [_legacy_value(row[c]) for c in columns],
                )
            counts[model.__tablename__] = len(rows)
    old.commit()
    old.close()
    engine.dispose()
    return counts


def _counts(state_url: str) -> dict[str, int]:
    engine = sa.create_engine(state_url)
    with engine.connect() as connection:
        counts = {
            model.__tablename__: connection.execute(
                sa.select(sa.func.count()).select_from(model)
            ).scalar_one()
            for model in STORE_TABLES
        }
    engine.dispose()
    return counts


def _without_flag(directory: Path) -> Path:
    """AInema without the app's own restriction flag: restrictions are the engine's record."""
    path = directory / "datamap.yaml"
    text = path.read_text("utf-8")
    assert "    restricted_flag: processing_restricted\n" in text
    path.write_text(text.replace("    restricted_flag: processing_restricted\n", ""), "utf-8")
    return directory


def test_an_old_engine_file_is_imported_once_and_no_restriction_or_hold_is_lost(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate("ainema", sqlite_url, PEOPLE, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", sqlite_url)
    restricted, erased, other = (Identity("user_id", n) for n in ("7", str(ERASED), "8"))

    # What an older version recorded: a restriction, an erasure with held rows.
    earlier = load_project(_without_flag(copy_example("ainema", tmp_path / "earlier")))
    restrict(earlier, restricted)
    assert erase(earlier, erased).to_json()["verified"] is True
    holds = state_for(earlier).holds()
    assert holds, "the erasure keeps the coin ledger's rows for the transactions rule"
    release(earlier)

    upgraded = _without_flag(copy_example("ainema", tmp_path / "upgraded"))
    legacy = upgraded / STATE_DIR / "engine.sqlite3"
    legacy.parent.mkdir(mode=0o700)
    written = _write_legacy(earlier.store_url, legacy)
    assert written["engine_restrictions"] and written["engine_journal"] == 1

    project = load_project(upgraded)
    try:
        assert is_restricted(project, restricted), "a restricted person stays restricted"
        assert not is_restricted(project, other)
        assert state_for(project).holds() == holds
        report = erase(project, erased).to_json()
        assert report["repeated"] is True, "the erasure's journal came along"
        assert all(isinstance(hold.delete_after, date | None) for hold in holds)
    finally:
        release(project)
    assert not legacy.exists()
    assert (legacy.parent / "engine.sqlite3.imported").is_file()
    assert _counts(project.store_url) == written

    # The file back (a restored backup): importing it again adds nothing.
    (legacy.parent / "engine.sqlite3.imported").rename(legacy)
    engine = sa.create_engine(project.store_url)
    try:
        assert import_legacy(engine, upgraded) == 0
    finally:
        engine.dispose()
    assert _counts(project.store_url) == written
    assert not legacy.exists()
