"""`publish`: a numbered version frozen with its text, refused (with nothing written) when it
would break a promise: nothing changed, a reused label, a date not after the last version's or
in the past, or a change taking effect before the notice period the version in force promised.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from lifecycle_kit import AINEMA, change_policy

from policykeeper.errors import ProblemsFound
from policykeeper.lifecycle import (
    NoticeTooShort,
    in_force,
    list_versions,
    publish_project,
    upcoming,
    version_text,
)
from policykeeper.policy import load_policy
from policykeeper.render import render_policy
from policykeeper.store import Store
from policykeeper.store.models import AuditEntry, Job
from policykeeper.store.records_models import Mailing
from policykeeper.workflow.errors import Invalid

NOW = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo
BASE = "https://ainema.example"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "ainema"
    shutil.copytree(AINEMA, copy, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    return copy


def publish(project: Path, store: Store, day: date, now: datetime = NOW):  # type: ignore[no-untyped-def]
    return publish_project(project, store, day, now=now, actor="cli", base_url=BASE, pace=100)


def edit(project: Path, old: str, new: str) -> None:
    path = project / "policy.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def written(store: Store) -> tuple[int, int, int]:
    with store.transaction() as session:
        return (
            len(list_versions(store)),
            session.execute(sa.select(sa.func.count()).select_from(Job)).scalar_one(),
            session.execute(sa.select(sa.func.count()).select_from(Mailing)).scalar_one(),
        )


def test_each_refusal_writes_nothing_and_says_why(project: Path, store: Store) -> None:
    first = publish(project, store, date(2026, 3, 23))  # the policy in force already
    assert first.number == 1 and first.changes == [] and in_force(store, NOW) is not None
    before = written(store)

    with pytest.raises(Invalid, match=r"nothing changed since version 1 \(2026-03-23\)"):
        publish(project, store, date(2026, 6, 1))

    change_policy(project, version="2026-03-23")
    with pytest.raises(ProblemsFound) as reused:
        publish(project, store, date(2026, 6, 1))
    (problem,) = reused.value.problems
    version_line = next(
        n
        for n, line in enumerate((project / "policy.yaml").read_text().splitlines(), 1)
        if line.startswith("version:")
    )
    assert problem.file.endswith("policy.yaml")
    assert (problem.line, problem.column) == (version_line, 1)
    assert "version '2026-03-23' was published as version 1" in problem.message

    edit(project, 'version: "2026-03-23"', 'version: "2026-06-01"')
    with pytest.raises(Invalid, match="version 1 takes effect on 2026-03-23"):
        publish(project, store, date(2026, 3, 23))
    with pytest.raises(Invalid, match="the effective date 2026-04-30 is in the past"):
        publish(project, store, date(2026, 4, 30))
    with pytest.raises(NoticeTooShort) as short:
        publish(project, store, date(2026, 5, 14))
    assert str(short.value) == (
        "version 1 promises 14 days' notice of a material change: "
        "the earliest effective date is 2026-05-15"
    )
    assert written(store) == before

    second = publish(project, store, date(2026, 5, 15))
    assert second.notice_days == 14 and second.mailing_id is not None
    assert [v.number for v in upcoming(store, NOW)] == [2]
    with store.transaction() as session:
        entry = (
            session.execute(
                sa.select(AuditEntry)
                .where(AuditEntry.action == "policy_published")
                .order_by(AuditEntry.seq.desc())
            )
            .scalars()
            .first()
        )
        assert entry is not None and '"version":2' in entry.data and '"material":true' in entry.data


def test_a_change_that_is_not_material_takes_effect_without_notice(
    project: Path, store: Store
) -> None:
    publish(project, store, date(2026, 3, 23))
    edit(project, 'version: "2026-03-23"', 'version: "2026-05-01"')
    edit(
        project,
        "  - kind: organizational\n    text: {ja: 定期的なセキュリティレビュー",
        "  - kind: technical\n    text: {ja: 多要素認証, en: Multi-factor authentication}\n"
        "  - kind: organizational\n    text: {ja: 定期的なセキュリティレビュー",
    )
    published = publish(project, store, date(2026, 5, 1))
    assert (published.material, published.notice_days, published.mailing_id) == (False, None, None)
    assert in_force(store, NOW).number == 2  # type: ignore[union-attr]


def test_every_change_needs_notice_where_the_policy_promises_it(
    project: Path, store: Store
) -> None:
    edit(project, "  material_changes_only: true\n", "")
    publish(project, store, date(2026, 3, 23))
    edit(project, 'version: "2026-03-23"', 'version: "2026-05-20"')
    edit(project, "minimum_age: 18", "minimum_age: 20")
    with pytest.raises(NoticeTooShort, match="notice of a change: the earliest"):
        publish(project, store, date(2026, 5, 2))
    assert publish(project, store, date(2026, 5, 20)).mailing_id is not None


def test_the_published_text_is_frozen(project: Path, store: Store) -> None:
    publish(project, store, date(2026, 3, 23))
    frozen = version_text(store, 1, "ja", "html")
    assert frozen == render_policy(load_policy(project), "ja", "html")
    assert version_text(store, 1, "en", "md").startswith("# AInema Privacy Policy")
    change_policy(project)
    publish(project, store, date(2026, 5, 15))
    assert version_text(store, 1, "ja", "html") == frozen
    assert "Lumen Analytics" in version_text(store, 2, "ja", "html")
    assert "2026年5月15日" in version_text(store, 2, "ja", "html")


ANALYTICS_USES = (
    "    uses: [analytics.reporting, functional.service.improve, essential.fraud_detection]\n"
)
ANALYTICS_DATA = (
    "    categories: [user.device.ip_address, user.device.browser, user.device.telemetry, "
    "user.behavior.browsing_history, user.device.cookie]\n"
)


def test_widening_an_opt_in_consent_asks_for_it_again(project: Path, store: Store) -> None:
    # AInema's original names no data per purpose; here its analytics purpose does.
    edit(project, ANALYTICS_USES, ANALYTICS_USES + ANALYTICS_DATA)
    publish(project, store, date(2026, 3, 23))
    edit(project, 'version: "2026-03-23"', 'version: "2026-06-01"')
    edit(
        project,
        ANALYTICS_DATA,
        ANALYTICS_DATA.replace(
            "user.device.cookie]", "user.device.cookie, user.behavior.media_consumption]"
        ),
    )
    published = publish(project, store, date(2026, 6, 1))
    (version,) = [v for v in list_versions(store) if v.number == published.number]
    assert set(version.reconsent) == {"analytics"}
    with store.transaction() as session:
        mailing = session.get(Mailing, published.mailing_id)
        assert mailing is not None
        assert (
            "「分析・改善」については、施行日以降に改めて同意をお願いします。"
            in (mailing.messages["ja"]["body"])
        )


def test_without_a_data_map_a_change_needing_notice_is_refused(project: Path, store: Store) -> None:
    (project / "datamap.yaml").unlink()
    publish(project, store, date(2026, 3, 23))
    change_policy(project)
    with pytest.raises(Invalid, match=r"without a datamap\.yaml PolicyKeeper cannot find them"):
        publish(project, store, date(2026, 5, 15))
