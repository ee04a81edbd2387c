"""The AInema example as a project under test: a copy over a generated service database, and
the material change the tests publish (a new purpose and a new recipient in the United States).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from policykeeper.examples.generation import generate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AINEMA = EXAMPLES / "ainema"

NEW_PURPOSE = """  - id: ai_training
    label: {ja: AIモデルの学習, en: AI model training}
    description: {ja: 視聴履歴を用いたレコメンドモデルの学習, en: Training recommendation models on viewing history}
    uses: [functional.service.improve]
    categories: [user.behavior.media_consumption]
"""
REACH = """  lumen:                                    # test partner: deletes what it received itself
    nothing_to_erase: {ja: Lumenは受領した情報を契約に基づき自ら削除します。, en: Lumen deletes what it received under its contract.}
"""
NEW_RECIPIENT = """  - id: lumen
    name: Lumen Analytics, Inc.
    type: third_party
    provision: consent
    purpose: {ja: 視聴傾向の分析, en: Analysis of viewing trends}
    purposes: [ai_training]
    categories: [user.behavior.media_consumption, user.contact.email]
    countries: [US]
    safeguards: [consent]
    country_regime: {ja: 米国には個人情報保護に関する包括的な連邦法がありません。, en: The United States has no comprehensive federal data protection law.}
"""


def copy_ainema(folder: Path, users: int, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A copy of the AInema project over a freshly generated SQLite service database."""
    project = folder / "ainema"
    shutil.copytree(AINEMA, project, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    url = f"sqlite:///{folder / 'service.sqlite3'}"
    generate("ainema", url, users, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", url)
    return project, url


def change_policy(project: Path, version: str = "2026-05-15", *, recipient: bool = True) -> None:
    """Edit policy.yaml as an operator would: a new purpose (and recipient), a new version."""
    path = project / "policy.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        'version: "2026-03-23"\neffective_date', f'version: "{version}"\neffective_date'
    )
    text = text.replace("\nrecipients:\n", "\n" + NEW_PURPOSE + "\nrecipients:\n", 1)
    if recipient:
        text = text.replace(
            "\nprovision_exceptions:", "\n" + NEW_RECIPIENT + "provision_exceptions:", 1
        )
        datamap = path.parent / "datamap.yaml"
        if datamap.is_file():
            mapped = datamap.read_text(encoding="utf-8")
            datamap.write_text(mapped.replace("\nrecipients:\n", "\nrecipients:\n" + REACH, 1))
    path.write_text(text, encoding="utf-8")


def account_holders(url: str) -> set[str]:
    """What the service itself calls its account holders: not deleted, not restricted."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT email FROM users WHERE deleted_at IS NULL AND NOT processing_restricted"
            )
        ).scalars()
        found = set(rows)
    engine.dispose()
    return found


def run_sql(url: str, statement: str, **values: object) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(statement), values)
    engine.dispose()
