"""The ledger on SQLite and PostgreSQL: records prove consent, nothing is ever changed, and bad
input is refused before anything is written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from policykeeper.consent import consent_export
from policykeeper.consent.service import ConsentService
from policykeeper.store.consent_models import ConsentNotice, ConsentRecord
from policykeeper.workflow.errors import Conflict, Invalid

Make = Callable[..., ConsentService]


def count(service: ConsentService) -> int:
    with service.store.transaction() as session:
        return int(session.execute(sa.select(sa.func.count(ConsentRecord.id))).scalar_one())


def test_a_withdrawal_is_a_new_record_and_the_history_is_the_proof(make_service: Make) -> None:
    service = make_service("jasminai")
    ledger = service.ledger
    first = ledger.record("user_id=7", {"personalization": True}, source="banner", language="ja")
    second = ledger.record(
        "user_id=7", {"personalization": False}, source="settings", language="en"
    )
    history = ledger.history("user_id=7")
    assert [e.action for e in history] == ["given", "withdrawn"]
    assert history[0] == first[0] and history[1] == second[0]
    assert history[0].mechanism == "opt_in" and history[0].source == "banner"
    assert history[0].policy_version == "2025-03-03"
    assert ledger.latest("user_id=7")["personalization"].action == "withdrawn"
    notice = ledger.notice(history[0].notice_hash)
    assert notice is not None and notice.language == "ja"
    assert "gravity_cookie" in [t["name"] for t in notice.text["trackers"]]
    assert notice.text["label"] == "ホームページのパーソナライズ（gravity_cookie）"


def test_repeating_the_current_choice_writes_nothing(make_lite: Make) -> None:
    service = make_lite("jasminai")
    service.ledger.record("user_id=1", {"analytics_cookies": True}, source="api", language="en")
    again = service.ledger.record(
        "user_id=1", {"analytics_cookies": True}, source="api", language="en"
    )
    assert again == [] and count(service) == 1


def test_the_database_refuses_to_change_or_delete_a_record(make_service: Make) -> None:
    service = make_service("jasminai")
    service.ledger.record("user_id=1", {"personalization": True}, source="api", language="en")
    statements = [
        sa.update(ConsentRecord).values(action="withdrawn"),
        sa.delete(ConsentRecord),
        sa.update(ConsentNotice).values(language="xx"),
    ]
    for statement in statements:
        with (
            pytest.raises(sa.exc.DBAPIError, match="append-only"),
            service.store.engine.begin() as connection,
        ):
            connection.execute(statement)
    assert service.ledger.latest("user_id=1")["personalization"].action == "given"


def test_the_current_state_view_is_the_latest_record(make_service: Make) -> None:
    service = make_service("jasminai")
    for given in (True, False, True):
        service.ledger.record("user_id=2", {"personalization": given}, source="api", language="en")
    service.ledger.record("user_id=3", {"marketing": False}, source="api", language="en")
    with service.store.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT subject, purpose, action FROM consent_current ORDER BY subject")
        ).all()
    assert [tuple(r) for r in rows] == [
        ("user_id=2", "personalization", "given"),
        ("user_id=3", "marketing", "withdrawn"),
    ]


@pytest.mark.parametrize(
    ("subject", "choices", "source", "language", "message"),
    [
        ("user_id=1", {"nope": True}, "api", "en", "unknown purpose 'nope'"),
        ("user_id=1", {"services": False}, "api", "en", "does not rest on consent"),
        ("user_id=1", {"personalization": "yes"}, "api", "en", "must be true or false"),
        ("", {"personalization": True}, "api", "en", "a subject is"),
        ("bad subject", {"personalization": True}, "api", "en", "a subject is"),
        ("user_id=1", {"personalization": True}, "email", "en", "source must be"),
        ("user_id=1", {"personalization": True}, "api", "fr", "language must be"),
        ("user_id=1", {}, "api", "en", "no choices"),
        ("user_id=1", {"personalization": False}, "gpc", "en", "only opts out of sale"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    make_lite: Make,
    subject: str,
    choices: dict[str, object],
    source: str,
    language: str,
    message: str,
) -> None:
    service = make_lite("jasminai")
    with pytest.raises(Invalid, match=message):
        service.ledger.record(subject, choices, source=source, language=language)  # type: ignore[arg-type]
    assert count(service) == 0


def test_one_bad_choice_refuses_the_whole_batch(make_lite: Make) -> None:
    service = make_lite("jasminai")
    with pytest.raises(Invalid):
        service.ledger.record(
            "user_id=1", {"personalization": True, "nope": True}, source="api", language="en"
        )
    assert count(service) == 0


def test_a_choice_made_on_an_older_policy_version_is_refused(make_lite: Make) -> None:
    service = make_lite("jasminai")
    with pytest.raises(Conflict, match="current version is '2025-03-03'"):
        service.ledger.record(
            "user_id=1",
            {"personalization": True},
            source="banner",
            language="en",
            policy_version="2024-01-01",
        )
    assert count(service) == 0


def test_the_export_carries_the_text_shown(make_service: Make) -> None:
    service = make_service("ainema")
    service.ledger.record(
        "email=a@example.com", {"analytics": True}, source="banner", language="ja"
    )
    service.ledger.record("email=a@example.com", {"analytics": False}, source="api", language="en")
    service.ledger.record("email=b@example.com", {"analytics": True}, source="api", language="en")
    exported = consent_export(service.store, "email=a@example.com")
    assert [(r["action"], r["source"], r["language"]) for r in exported] == [
        ("given", "banner", "ja"),
        ("withdrawn", "api", "en"),
    ]
    assert exported[0]["shown"]["label"] == "分析・改善"
    assert exported[1]["shown"]["trackers"][0]["name"] == "analytics"
    with service.store.transaction() as session:
        assert consent_export(session, "email=nobody@example.com") == []
