"""The report's evidence as a reader sees it: periods, lifetimes, times, runs, consent records
and catalogue entries worded in the report's language, not as Python or the database wrote them."""

from __future__ import annotations

from policykeeper.checks.text import phrases


def test_evidence_values_read_in_japanese() -> None:
    ja = phrases("ja")
    assert ja.value("period", "7 years") == "7年"
    assert ja.value("deadline", "2 weeks") == "2週間"
    assert ja.value("lifetime_days", None) == "セッション終了まで"
    assert ja.value("lifetime_days", 400.0) == "400日"
    assert ja.value("lifetime_days", 0.5) == "0.5日"
    assert ja.value("record", "given") == "同意"
    assert ja.value("recorded_at", "2026-12-01T08:55:15.896881+00:00") == "2026-12-01 08:55 UTC"
    assert ja.value("runs", ["accepted", "gpc", "no_choice", "rejected"]) == (
        "選択前、「すべて拒否する」の後、GPC有効時、「すべて同意する」の後"
    )
    assert ja.value("body", {"gpc": True, "lastUpdate": "2026-03-23"}) == (
        "gpc: true, lastUpdate: 2026-03-23"
    )
    entry = {"platform": "Google Analytics", "category": "Analytics", "description": "ID"}
    assert ja.value("catalogue", entry) == "Google Analytics（分析）：ID"
    assert ja.value("how", "with_account") == "アカウントの削除とともに削除"


def test_evidence_values_read_in_english() -> None:
    en = phrases("en")
    assert en.value("period", "1 year") == "1 year"
    assert en.value("lifetime_days", None) == "until the browser session ends"
    assert en.value("lifetime_days", 365.0) == "365 days"
    entry = {"platform": "Google Analytics", "category": "Analytics", "description": "ID"}
    assert en.value("catalogue", entry) == "Google Analytics (analytics): ID"
    assert en.value("how", "reviewed") == "no fixed period: reviewed by staff"


def test_both_languages_have_every_phrase() -> None:
    def keys(tree: object, prefix: str = "") -> set[str]:
        if not isinstance(tree, dict):
            return {prefix}
        return {k for key, sub in tree.items() for k in keys(sub, f"{prefix}.{key}")}

    assert keys(phrases("ja").tree) == keys(phrases("en").tree)


def test_a_per_run_finding_names_its_run_on_its_line() -> None:
    from datetime import UTC, datetime

    from policykeeper.checks.report import Check, CheckReport, Tie

    def consent(run: str) -> Check:
        facts = {"run": run}
        return Check(f"consent:{run}:a", "consent.record", "fail", Tie("trackers"), "a", facts)

    headings = {"trackers": {"ja": "5. Cookie等", "en": "5. Cookies"}}
    report = CheckReport(datetime(2026, 3, 2, tzinfo=UTC), "1", {}, headings, [])
    ja = phrases("ja")
    assert ja.line(report, consent("gpc")) != ja.line(report, consent("accepted"))
    assert phrases("en").line(report, consent("gpc")) == (
        "✗ 5. Cookies: a: no consent record for the browser that received it (with GPC on)"
    )


def test_the_report_names_the_service_not_a_company() -> None:
    """The report has no declaration to ask how the operator names itself (当社, 当法人 …), so
    its own host is the service's, as the English says."""
    from policykeeper.checks.report import Check, Tie

    own = Check("site:host:cdn.ainema.tv", "site.host_own", "pass", Tie("trackers"), "cdn", {})
    assert phrases("ja").title(own) == "cdn：本サービス自身のホストです"
    assert "当社" not in repr(phrases("ja").tree)
