"""`init` then `erase` with nothing configured: the starter policy validates on a schema with
no date or transaction column, and the keyed hash's secret is created in the project's state
folder, owner-only, used, reused, and named by `validate`."""

from __future__ import annotations

import hashlib
import hmac
import threading
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.engine.hashkey import hash_secret, key_path
from policykeeper.engine.runtime import release
from policykeeper.project import load_project

runner = CliRunner()
NO_DATES = [
    "CREATE TABLE members (id integer PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, "
    "nickname varchar(40))",
    "CREATE TABLE notes (id integer PRIMARY KEY, member_id integer NOT NULL "
    "REFERENCES members(id), body text NOT NULL)",
    "CREATE TABLE likes (member_id integer NOT NULL REFERENCES members(id), "
    "note_id integer NOT NULL REFERENCES notes(id), PRIMARY KEY (member_id, note_id))",
    "INSERT INTO members VALUES (1, 'mei@example.jp', 'めい'), (2, 'ken@example.jp', NULL)",
    "INSERT INTO notes VALUES (1, 1, 'メモ'), (2, 2, 'note'), (3, 2, 'another')",
    "INSERT INTO likes VALUES (1, 1), (2, 1), (2, 3)",
]
PAYMENTS = [
    "CREATE TABLE members (id integer PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, "
    "nickname varchar(40))",
    "CREATE TABLE payments (id integer PRIMARY KEY, member_id integer NOT NULL "
    "REFERENCES members(id), amount integer NOT NULL, paid_at timestamp NOT NULL)",
    "INSERT INTO members VALUES (1, 'mei@example.jp', 'めい'), (2, 'ken@example.jp', 'ケン')",
    "INSERT INTO payments VALUES (1, 1, 500, '2025-05-01 10:00:00'), "
    "(2, 2, 800, '2025-06-01 10:00:00')",
]


def build(url: str, statements: list[str]) -> str:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()
    return url


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def init(service: str, directory: Path) -> None:
    code, _, err = run("init", str(directory), "--db", service, "--identity", "members.email")
    assert code == 0, err


def test_a_schema_without_dates_gets_a_starter_policy_that_validates(
    database_url: str, tmp_path: Path
) -> None:
    directory = tmp_path / "project"
    init(build(database_url, NO_DATES), directory)
    code, _, err = run("validate", str(directory))
    assert code == 0, err
    assert "hash key: " in err and "(created by the first erasure)" in err
    assert "clock: account_active" in (directory / "policy.yaml").read_text(encoding="utf-8")
    code, out, err = run("erase", str(directory), "--identity", "email=ken@example.jp")
    assert code == 0, err
    assert out.startswith("Erased: deleted 5 rows, masked 0, kept 0 (verified).")
    assert not key_path(directory).exists(), "nothing was hashed, so no key was needed"


def test_init_then_erase_creates_uses_and_keeps_a_hash_key(
    database_url: str, tmp_path: Path
) -> None:
    service = build(database_url, PAYMENTS)
    directory = tmp_path / "project"
    init(service, directory)
    drafted = (directory / "datamap.yaml").read_text(encoding="utf-8")
    assert "\nhash_key:" not in drafted
    # Ken's payment is kept for 7 years, so his account stays, masked: its email hashed.
    code, out, err = run("erase", str(directory), "--identity", "email=ken@example.jp")
    assert code == 0, err
    assert out.startswith("Erased: deleted 0 rows, masked 1, kept 2 (verified).")
    key = key_path(directory)
    assert key.parent.stat().st_mode & 0o777 == 0o700
    assert key.stat().st_mode & 0o777 == 0o600
    assert (key.parent / ".gitignore").is_file()
    secret = key.read_text(encoding="ascii").strip()
    assert len(secret) == 64
    engine = sa.create_engine(service)
    with engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT email FROM members WHERE id = 2").scalar_one()
    engine.dispose()
    digest = hmac.new(secret.encode(), b"ken@example.jp", hashlib.sha256).hexdigest()
    assert stored == "pk:" + digest
    code, _, err = run("validate", str(directory))
    assert code == 0 and "hash key: " in err and "created by" not in err
    assert str(key.name) in err
    assert run("erase", str(directory), "--identity", "email=mei@example.jp")[0] == 0
    assert key.read_text(encoding="ascii").strip() == secret


def test_first_uses_at_once_agree_on_one_key(database_url: str, tmp_path: Path) -> None:
    directory = tmp_path / "project"
    init(build(database_url, PAYMENTS), directory)
    project = load_project(directory)
    found: list[str] = []

    def first_use() -> None:
        found.append(hash_secret(project))

    try:
        threads = [threading.Thread(target=first_use) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        release(project)
    assert len(found) == 8 and len(set(found)) == 1
    assert not [p for p in key_path(directory).parent.iterdir() if p.name.endswith(".part")]
