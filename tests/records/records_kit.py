"""The AInema example under test for the records: a copy over a generated service database,
optionally with the users' language mapped, or with a recipient that receives data by consent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from policykeeper.examples.generation import generate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AINEMA = EXAMPLES / "ainema"
LANGUAGE_COLUMN = "      language: {category: user.demographic.language, erase: keep}\n"
REACH = """  lumen:                                    # test partner: deletes what it received itself
    nothing_to_erase: {ja: Lumenは受領した情報を契約に基づき自ら削除します。, en: Lumen deletes what it received under its contract.}
"""
PARTNER = """  - id: lumen
    name: Lumen Analytics, Inc.
    type: third_party
    provision: consent
    purpose: {ja: 視聴傾向の分析, en: Analysis of viewing trends}
    categories: [user.behavior.media_consumption, user.contact.email]
    countries: [JP]
"""


def copy_ainema(
    folder: Path,
    users: int,
    monkeypatch: pytest.MonkeyPatch,
    *,
    languages: bool = False,
    partner: bool = False,
) -> tuple[Path, str]:
    project = folder / "ainema"
    shutil.copytree(AINEMA, project, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    if languages:
        datamap = project / "datamap.yaml"
        text = datamap.read_text(encoding="utf-8")
        anchor = "      last_activity_at: {category: user.behavior.browsing_history}\n"
        datamap.write_text(text.replace(anchor, anchor + LANGUAGE_COLUMN, 1), encoding="utf-8")
    if partner:
        policy = project / "policy.yaml"
        text = policy.read_text(encoding="utf-8")
        policy.write_text(
            text.replace("\nprovision_exceptions:", "\n" + PARTNER + "provision_exceptions:", 1),
            encoding="utf-8",
        )
        datamap = project / "datamap.yaml"
        mapped = datamap.read_text(encoding="utf-8")
        datamap.write_text(mapped.replace("\nrecipients:\n", "\nrecipients:\n" + REACH, 1))
    url = f"sqlite:///{folder / 'service.sqlite3'}"
    generate("ainema", url, users, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", url)
    return project, url


def query(url: str, statement: str, **values: object) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        result = connection.execute(sa.text(statement), values)
        rows = [tuple(r) for r in result] if result.returns_rows else []
    engine.dispose()
    return rows
