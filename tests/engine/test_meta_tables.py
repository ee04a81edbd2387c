"""Key-value meta tables: each key its own category and erasure, on a schema without foreign
keys (SQLite). The WordPress site itself is tested in tests/wordpress/test_allin_datamap.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from policykeeper.cli import app

runner = CliRunner()

DATAMAP = """
policykeeper: 1
connections:
  main: sqlite:///site.sqlite3
hash_key: meta-test-key
identities:
  email: users.email
tables:
  users:
    rows: owned
    columns:
      email: {category: user.contact.email, erase: hash}
  usermeta:
    rows: owned
    via: [{table: users, join: {user_id: id}}]
    meta:
      key: meta_key
      value: meta_value
      keys:
        first_name: {category: user.name}
        phone: {category: user.contact.phone_number, erase: {set: ""}}
        nickname: {category: user.name.display, erase: hash}
        signup_source: {erase: keep}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    database = tmp_path / "p" / "site.sqlite3"
    database.parent.mkdir()
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
        connection.exec_driver_sql(
            "CREATE TABLE usermeta (umeta_id INTEGER PRIMARY KEY, user_id INTEGER, "
            "meta_key TEXT, meta_value TEXT)"
        )
        connection.exec_driver_sql(
            "INSERT INTO users VALUES (1, 'a@example.jp'), (2, 'b@example.jp')"
        )
        rows = [
            (1, 1, "first_name", "亜紀"),
            (2, 1, "phone", "090-1111-2222"),
            (3, 1, "nickname", "aki"),
            (4, 1, "signup_source", "footer"),
            (5, 1, "theme", "dark"),  # not listed: not the person's data
            (6, 2, "first_name", "弁"),
            (7, 2, "phone", "090-3333-4444"),
        ]
        connection.exec_driver_sql("INSERT INTO usermeta VALUES (?, ?, ?, ?)", rows)
    engine.dispose()
    code = runner.invoke(
        app,
        ["init", str(tmp_path / "p"), "--db", f"sqlite:///{database}", "--identity", "users.email"],
    ).exit_code
    assert code == 0
    (tmp_path / "p" / "datamap.yaml").write_text(DATAMAP, encoding="utf-8")
    return tmp_path / "p"


def meta(project: Path) -> dict[int, tuple[int, str, str]]:
    engine = sa.create_engine(f"sqlite:///{project / 'site.sqlite3'}")
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT * FROM usermeta").all()
    engine.dispose()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def test_access_exports_each_listed_key_under_its_category(project: Path) -> None:
    result = runner.invoke(app, ["access", str(project), "--identity", "email=a@example.jp"])
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert sorted(row["umeta_id"] for row in found["tables"]["usermeta"]) == [1, 2, 3, 4]
    phones = found["categories"]["user.contact.phone_number"]["data"]["usermeta"]
    assert phones == [{"umeta_id": 2, "meta_key": "phone", "meta_value": "090-1111-2222"}]


def test_erasure_acts_key_by_key(project: Path) -> None:
    before = meta(project)
    result = runner.invoke(app, ["erase", str(project), "--identity", "email=a@example.jp"])
    assert result.exit_code == 0, result.stderr
    after = meta(project)
    assert 1 not in after  # first_name: deleted (the default)
    assert after[2] == (1, "phone", "")  # {set: ""}
    assert after[3][2].startswith("pk:") and after[3][:2] == (1, "nickname")  # hash
    assert after[4] == before[4] and after[5] == before[5]  # keep; and a key not listed
    assert {k: after[k] for k in (6, 7)} == {k: before[k] for k in (6, 7)}


def test_rectification_names_a_key_like_a_column(project: Path) -> None:
    before = meta(project)
    result = runner.invoke(
        app,
        [
            "rectify",
            str(project),
            "--identity",
            "email=a@example.jp",
            "--set",
            "phone=03-1234-5678",
        ],
    )
    assert result.exit_code == 0, result.stderr
    after = meta(project)
    assert after[2] == (1, "phone", "03-1234-5678")
    assert {k: v for k, v in after.items() if k != 2} == {k: v for k, v in before.items() if k != 2}
    wrong = runner.invoke(
        app, ["rectify", str(project), "--identity", "email=a@example.jp", "--set", "theme=x"]
    )
    assert wrong.exit_code == 2 and "not personal data the data map lists" in wrong.stderr
