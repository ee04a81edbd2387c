"""Deadline arithmetic for APPI, GDPR and CCPA, with business days and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

from store.kit import ainema_policy, with_jurisdictions, with_right

from policykeeper.config import Config
from policykeeper.policy.models import Jurisdiction, Policy
from policykeeper.policy.types import Duration
from policykeeper.workflow.deadlines import compute_deadlines
from policykeeper.workflow.limits import request_limit
from policykeeper.workflow.settings import DEFAULT_CALENDARS, Calendar, WorkflowSettings


def deadlines(policy: Policy, kind: str, received: datetime, *names: str, **settings: object):
    right = policy.right(kind)
    assert right is not None
    jurisdictions = [Jurisdiction(n) for n in names] or list(policy.jurisdictions)
    return compute_deadlines(policy, right, jurisdictions, received, WorkflowSettings(**settings))


def test_ainema_two_weeks_under_appi() -> None:
    received = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    clock = deadlines(ainema_policy(), "access", received)
    assert clock.due_at == datetime(2026, 5, 15, 3, 0, tzinfo=UTC)
    assert clock.max_due_at == clock.due_at
    assert clock.acknowledge_by is None


def test_appi_without_delay_uses_the_configurable_working_clock() -> None:
    policy = with_right(ainema_policy(), "access", deadline={"without_delay": True})
    received = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    assert deadlines(policy, "access", received).due_at == datetime(2026, 5, 15, 3, tzinfo=UTC)
    short = deadlines(policy, "access", received, appi_working_period=Duration(7, "day"))
    assert short.due_at == datetime(2026, 5, 8, 3, tzinfo=UTC)


def test_gdpr_one_month_extendable_by_two_with_month_ends() -> None:
    policy = with_right(
        with_jurisdictions(ainema_policy(), "gdpr"),
        "access",
        deadline={"period": "1 month", "extension": "2 months"},
    )
    received = datetime(2026, 1, 31, 3, 0, tzinfo=UTC)
    clock = deadlines(policy, "access", received)
    assert clock.due_at == datetime(2026, 2, 28, 3, tzinfo=UTC)
    assert clock.max_due_at == datetime(2026, 4, 28, 2, tzinfo=UTC)  # summer time in Brussels


def test_gdpr_caps_a_longer_declared_period_and_extension() -> None:
    policy = with_right(
        with_jurisdictions(ainema_policy(), "gdpr"),
        "access",
        deadline={"period": "60 days", "extension": "6 months"},
    )
    received = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    clock = deadlines(policy, "access", received)
    assert clock.due_at == datetime(2026, 4, 2, 11, tzinfo=UTC)
    assert clock.max_due_at == datetime(2026, 6, 2, 11, tzinfo=UTC)


def test_ccpa_acknowledgment_in_business_days_skips_thanksgiving() -> None:
    policy = with_right(
        with_jurisdictions(ainema_policy(), "ccpa"),
        "access",
        deadline={"period": "45 days", "extension": "45 days"},
    )
    received = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # Friday 10:00 in California
    clock = deadlines(policy, "access", received)
    assert clock.acknowledge_by == datetime(2026, 12, 8, 18, tzinfo=UTC)
    assert clock.due_at == datetime(2027, 1, 4, 18, tzinfo=UTC)
    assert clock.max_due_at == datetime(2027, 2, 18, 18, tzinfo=UTC)


def test_the_stricter_clock_wins_where_two_laws_apply() -> None:
    both = with_jurisdictions(ainema_policy(), "appi", "gdpr")
    long_declared = with_right(both, "access", deadline={"period": "45 days"})
    received = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    assert deadlines(long_declared, "access", received).due_at == datetime(
        2026, 6, 1, 3, tzinfo=UTC
    )
    assert deadlines(long_declared, "access", received, "appi").due_at == datetime(
        2026, 6, 15, 3, tzinfo=UTC
    )
    per_law = with_right(
        both,
        "access",
        deadline={"period": "2 weeks"},
        by_jurisdiction={"gdpr": {"deadline": {"period": "1 month", "extension": "2 months"}}},
    )
    clock = deadlines(per_law, "access", received)
    assert clock.due_at == datetime(2026, 5, 15, 3, tzinfo=UTC)
    assert clock.max_due_at == clock.due_at


def test_japanese_business_days_skip_golden_week() -> None:
    policy = with_right(
        ainema_policy(), "access", deadline={"period": "5 days", "business_days": True}
    )
    received = datetime(2026, 4, 30, 1, 0, tzinfo=UTC)  # Thursday 10:00 in Tokyo
    clock = deadlines(policy, "access", received)
    assert clock.due_at == datetime(2026, 5, 12, 1, tzinfo=UTC)


def test_configured_company_holidays_count_as_days_off() -> None:
    policy = with_right(
        ainema_policy(), "access", deadline={"period": "1 day", "business_days": True}
    )
    received = datetime(2026, 5, 11, 1, 0, tzinfo=UTC)  # Monday in Tokyo
    calendars = dict(DEFAULT_CALENDARS)
    calendars[Jurisdiction.appi] = Calendar(
        "JP", "Asia/Tokyo", extra_holidays=frozenset({date(2026, 5, 12)})
    )
    clock = deadlines(policy, "access", received, calendars=calendars)
    assert clock.due_at == datetime(2026, 5, 13, 1, tzinfo=UTC)


def test_request_limit_from_the_jurisdiction_terms() -> None:
    policy = with_right(
        with_jurisdictions(ainema_policy(), "appi", "ccpa"),
        "access",
        by_jurisdiction={"ccpa": {"limit": {"count": 2, "per": "12 months"}}},
    )
    right = policy.right("access")
    assert right is not None
    limit = request_limit(right, [Jurisdiction.ccpa])
    assert limit is not None and limit.count == 2
    assert request_limit(right, [Jurisdiction.appi]) is None


def test_jasminai_gdpr_ccpa_and_both() -> None:
    from store.kit import EXAMPLES

    from policykeeper.policy import load_policy

    policy = load_policy(EXAMPLES / "jasminai")
    received = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
    gdpr = deadlines(policy, "access", received, "gdpr")
    assert (gdpr.due_at, gdpr.max_due_at, gdpr.acknowledge_by) == (
        datetime(2026, 12, 20, 18, tzinfo=UTC),
        datetime(2027, 1, 19, 18, tzinfo=UTC),  # "within 60 days" for complex requests
        None,
    )
    ccpa = deadlines(policy, "access", received, "ccpa")
    assert (ccpa.due_at, ccpa.max_due_at, ccpa.acknowledge_by) == (
        datetime(2027, 1, 4, 18, tzinfo=UTC),
        datetime(2027, 2, 18, 18, tzinfo=UTC),
        datetime(2026, 12, 8, 18, tzinfo=UTC),
    )
    both = deadlines(policy, "access", received, "gdpr", "ccpa")
    assert (both.due_at, both.max_due_at, both.acknowledge_by) == (
        gdpr.due_at,
        gdpr.max_due_at,
        ccpa.acknowledge_by,
    )
    right = policy.right("access")
    assert right is not None
    limit = request_limit(right, [Jurisdiction.ccpa])
    assert limit is not None and (limit.count, str(limit.per)) == (2, "12 months")


def test_office_closures_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("POLICYKEEPER_EXTRA_HOLIDAYS", "2026-12-29, 2026-12-30,2026-12-31")
    monkeypatch.setenv("POLICYKEEPER_BASE_URL", "https://privacy.example.jp/")
    settings = WorkflowSettings.from_config(Config.from_environment())
    assert settings.base_url == "https://privacy.example.jp"
    policy = with_right(
        ainema_policy(), "access", deadline={"period": "2 days", "business_days": True}
    )
    right = policy.right("access")
    assert right is not None
    received = datetime(2026, 12, 28, 1, 0, tzinfo=UTC)  # Monday in Tokyo
    clock = compute_deadlines(policy, right, [Jurisdiction.appi], received, settings)
    assert clock.due_at == datetime(
        2027, 1, 5, 1, tzinfo=UTC
    )  # Jan 1 is a holiday, Jan 2-3 a weekend
