"""Schemas that declare no foreign keys: joins inferred with evidence, the warning about tables
no join reaches, and a Fides dataset imported as a data map."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from ruamel.yaml import YAML
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.datamap.fides import import_fides

runner = CliRunner()

SCHEMA = [
    "CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT NOT NULL, full_name TEXT)",
    "CREATE TABLE coupon (id INTEGER PRIMARY KEY, code TEXT)",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, coupon_id INTEGER, "
    "total INTEGER, ordered_at TIMESTAMP)",
    "CREATE TABLE newsletter_signup (id INTEGER PRIMARY KEY, email TEXT, source TEXT)",
    "CREATE TABLE call_note (id INTEGER PRIMARY KEY, phone TEXT, full_name TEXT, body TEXT)",
]
ROWS = [
    "INSERT INTO customer VALUES (1, 'aki@example.jp', '佐藤 亜紀'), (2, 'ben@example.jp', '鈴木 弁')",
    "INSERT INTO coupon VALUES (1, 'WELCOME')",
    # coupon 7 does not exist: the sample contradicts coupon_id -> coupon.id
    "INSERT INTO orders VALUES (10, 1, 1, 3000, '2026-01-01'), (11, 1, 7, 1200, '2026-02-01'), "
    "(12, 2, NULL, 800, '2026-03-01')",
    "INSERT INTO newsletter_signup VALUES (20, 'aki@example.jp', 'footer'), "
    "(21, 'guest@example.jp', 'popup'), (22, 'ben@example.jp', 'footer')",
    "INSERT INTO call_note VALUES (30, '090-0000-0000', '田中 花子', '電話での問い合わせ')",
]


@pytest.fixture
def shop(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in [*SCHEMA, *ROWS]:
            connection.exec_driver_sql(statement)
    engine.dispose()
    return url


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def datamap(directory: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load((directory / "datamap.yaml").read_text())
    return loaded


def test_joins_are_inferred_from_names_and_identity_values_checked_on_a_sample(
    shop: str, tmp_path: Path
) -> None:
    directory = tmp_path / "project"
    code, _, err = run("init", str(directory), "--db", shop, "--identity", "customer.email")
    assert code == 0, err
    tables = datamap(directory)["tables"]
    assert tables["orders"]["rows"] == "owned"
    assert tables["orders"]["via"] == [
        {
            "table": "customer",
            "join": {"customer_id": "id"},
            "inferred": True,
            "evidence": "named customer_id -> customer; 2 of 2 sampled values exist in customer.id",
        }
    ]
    (signup,) = tables["newsletter_signup"]["via"]
    assert signup["join"] == {"email": "email"} and signup["inferred"] is True
    assert signup["evidence"].endswith("2 of 3 sampled values exist in customer.email")
    # coupon 7 is missing from coupon: the name alone does not make a join
    assert tables["coupon"]["rows"] == "reference"
    assert all(via["table"] != "coupon" for via in tables["orders"]["via"])
    assert tables["call_note"]["rows"] == "reference"

    code, _, err = run("validate", str(directory))
    assert code == 0, err
    warned = [line for line in err.splitlines() if "no join from a person reaches it" in line]
    assert len(warned) == 1 and "'call_note'" in warned[0] and "phone" in warned[0]

    code, out, err = run("access", str(directory), "--identity", "email=aki@example.jp")
    assert code == 0, err
    found = json.loads(out)["tables"]
    assert sorted(row["id"] for row in found["orders"]) == [10, 11]
    assert [row["id"] for row in found["newsletter_signup"]] == [20]


FIDES = """
dataset:
  - fides_key: shop
    name: Shop database
    collections:
      - name: customer
        fields:
          - name: id
            data_categories: [user.unique_id]
            fides_meta: {primary_key: true}
          - name: email
            data_categories: [user.contact.email]
            fides_meta: {identity: email, data_type: string}
          - name: full_name
            data_categories: [user.name]
      - name: orders
        fields:
          - name: id
            data_categories: [system.operations]
          - name: customer_id
            data_categories: [system.operations]
            fides_meta:
              references:
                - {dataset: shop, field: customer.id, direction: from}
          - name: total
            data_categories: [user.financial]
      - name: newsletter_signup
        fields:
          - name: email
            data_categories: [user.contact.email]
            fides_meta: {identity: email}
          - name: source
            data_categories: [system.operations]
      - name: coupon
        fields:
          - name: code
            data_categories: [system.operations]
"""


def test_a_fides_dataset_becomes_a_data_map(shop: str, tmp_path: Path) -> None:
    dataset = tmp_path / "dataset.yml"
    dataset.write_text(FIDES, encoding="utf-8")
    directory = tmp_path / "from-fides"
    code, _, err = run("init", str(directory), "--db", shop, "--from-fides", str(dataset))
    assert code == 0, err
    drafted = datamap(directory)
    assert drafted["identities"] == {"email": {"column": "customer.email"}}
    tables = drafted["tables"]
    assert tables["customer"]["columns"] == {
        "id": {"category": "user.unique_id"},
        "email": {"category": "user.contact.email"},
        "full_name": {"category": "user.name"},
    }
    assert tables["orders"]["via"] == [{"table": "customer", "join": {"customer_id": "id"}}]
    assert tables["newsletter_signup"]["via"] == [{"table": "customer", "join": {"email": "email"}}]
    assert tables["coupon"]["rows"] == "reference"
    code, _, err = run("validate", str(directory))
    assert code == 0, err
    code, out, err = run("access", str(directory), "--identity", "email=ben@example.jp")
    assert code == 0, err
    found = json.loads(out)["tables"]
    assert [row["id"] for row in found["orders"]] == [12]
    assert [row["id"] for row in found["newsletter_signup"]] == [22]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("collections: []", "no 'dataset:' list"),
        ("dataset: [{fides_key: x, collections: [{name: a, fields: [{name: b}]}]}]", "identity"),
        (
            "dataset: [{fides_key: x, collections: [{name: a, fields: [{name: b, fides_meta: "
            "{identity: email, references: [{field: nowhere.id}]}}]}]}]",
            "references 'nowhere.id'",
        ),
        ("dataset: [a", "not YAML"),
    ],
)
def test_a_bad_fides_file_is_one_line(shop: str, tmp_path: Path, text: str, message: str) -> None:
    dataset = tmp_path / "dataset.yml"
    dataset.write_text(text, encoding="utf-8")
    code, _, err = run("init", str(tmp_path / "p"), "--db", shop, "--from-fides", str(dataset))
    assert code == 2
    assert message in err and err.strip().count("\n") == 0


def test_fides_references_go_the_way_their_direction_says(tmp_path: Path) -> None:
    dataset = tmp_path / "dataset.yml"
    dataset.write_text(
        """
dataset:
  - fides_key: app
    collections:
      - name: users
        fields:
          - name: email
            data_categories: [user.contact.email]
            fides_meta: {identity: email}
          - name: address_id
            fides_meta:
              references: [{dataset: app, field: address.id, direction: to}]
          - name: profile
            fields: [{name: bio, data_categories: [user.content]}]
      - name: address
        fields:
          - name: id
          - name: street
            data_categories: [user.contact.address]
""",
        encoding="utf-8",
    )
    draft = import_fides(dataset, "sqlite:///app.sqlite3")
    address = draft.tables["address"]
    assert address.owned and address.via == [{"table": "users", "join": {"id": "address_id"}}]
    assert address.columns == {"street": {"category": "user.contact.address"}}
    assert draft.tables["users"].note == "nested fields under profile are not mapped"
