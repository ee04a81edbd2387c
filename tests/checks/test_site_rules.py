"""The site scan's rules on recorded observations (the browser part is proven by
test_promise_checks): GPC not honoured, gpc.json missing, a declared tracker never seen, hosts
tied in the pages file, and trackers declared with a wildcard."""

from __future__ import annotations

from checks_kit import EXAMPLE

from policykeeper.checks.pages import HostTie, SitePlan
from policykeeper.checks.site_checks import declared_tracker, site_checks
from policykeeper.checks.sitescan import PageProblem, Run, SeenCookie, SeenRequest, SiteScan
from policykeeper.checks.text import phrases
from policykeeper.policy import load_policy
from policykeeper.policy.models import Policy

AUDIOSTOCK = EXAMPLE.parent / "audiostock"
ADS = "targeted-advertising-modules"


def scan(runs: dict[str, Run], gpc_json: dict | None = None) -> SiteScan:  # type: ignore[type-arg]
    for name in ("no_choice", "rejected", "gpc", "accepted"):
        runs.setdefault(name, Run(name))
    return SiteScan("http://127.0.0.1:8000/", ["/"], runs, gpc_json)


def cookie(name: str) -> SeenCookie:
    return SeenCookie(name, "127.0.0.1", True, 30.0)


def honouring_gpc(policy: Policy) -> Policy:
    """The policy with the GPC promise declared (Audiostock's original makes none)."""
    return policy.model_copy(update={"signals": policy.signals.model_copy(update={"gpc": True})})


def test_a_targeted_ads_tracker_active_under_gpc_breaks_the_promise() -> None:
    policy = honouring_gpc(load_policy(AUDIOSTOCK))
    accepted = Run("accepted", cookies={ADS: cookie(ADS)})
    with_gpc = Run("gpc", cookies={ADS: cookie(ADS)})
    checks = {
        c.id: c
        for c in site_checks(policy, scan({"accepted": accepted, "gpc": with_gpc}), SitePlan())
    }
    assert checks[f"site.gpc_ignored:{ADS}"].status == "fail"
    assert checks[f"site.gpc_ignored:{ADS}"].tie.row == f"tracker:{ADS}"
    assert checks["site.gpc_json"].status == "fail"  # the policy honours GPC; nothing served
    summary = checks["site.gpc_run"]  # the GPC run's own line agrees with the finding
    assert (summary.status, summary.facts["active"]) == ("fail", [ADS])
    assert not any(c.startswith("site.tracker_not_seen") for c in checks)  # modules: not cookies


def test_a_declared_cookie_never_seen_is_a_warning() -> None:
    policy = load_policy(EXAMPLE)
    session = Run("accepted", cookies={"ainema_session": cookie("ainema_session")})
    checks = {c.id: c for c in site_checks(policy, scan({"accepted": session}), SitePlan())}
    assert checks["site.tracker_not_seen:analytics"].status == "warn"
    assert "site.tracker_not_seen:ainema_session" not in checks


def test_honoured_gpc_passes() -> None:
    policy = honouring_gpc(load_policy(AUDIOSTOCK))
    accepted = Run("accepted", cookies={ADS: cookie(ADS)})
    served = {"gpc": True, "lastUpdate": "2026-01-01"}
    checks = {
        c.id: c for c in site_checks(policy, scan({"accepted": accepted}, served), SitePlan())
    }
    assert checks["site.gpc_json"].status == "pass"
    assert checks[f"site.tracker_seen:{ADS}"].status == "pass"
    assert checks["site.gpc_run"].facts["purposes"] == ["statistics", "targeted_advertising"]


def test_hosts_tied_in_the_pages_file() -> None:
    policy = load_policy(EXAMPLE)
    request = SeenRequest("js.stripe.com", "/v3", ["key"], [], [])
    tracked = SeenRequest("collect.example.net", "/p", ["id"], [], [])
    runs = {
        "no_choice": Run("no_choice", requests=[request, tracked]),
        "accepted": Run("accepted", requests=[tracked]),
    }
    plan = SitePlan(
        ["/"],
        {
            "js.stripe.com": HostTie("recipient", "stripe"),
            "collect.example.net": HostTie("tracker", "analytics"),
        },
    )
    checks = {c.id: c for c in site_checks(policy, scan(runs), plan)}
    stripe = checks["site.host_declared:js.stripe.com"]
    assert (stripe.status, stripe.tie.section, stripe.tie.row) == (
        "pass",
        "recipients",
        "recipient:stripe",
    )
    early = checks["site.before_consent:collect.example.net"]
    assert early.status == "fail" and early.tie.row == "tracker:analytics"


def test_a_wildcard_tracker_name_covers_its_family() -> None:
    policy = load_policy(EXAMPLE)
    extra = policy.trackers[1].model_copy(update={"name": "_ga_*"})
    policy = policy.model_copy(update={"trackers": [*policy.trackers, extra]})
    assert declared_tracker(policy, "_ga_ABC123") is extra
    assert declared_tracker(policy, "_gid") is None


def test_without_a_banner_to_click_nothing_is_reported_as_after_rejection() -> None:
    policy = load_policy(EXAMPLE)
    early = {"analytics": cookie("analytics")}
    runs = {
        "no_choice": Run("no_choice", cookies=dict(early)),
        "rejected": Run("rejected", cookies=dict(early), choice_made=False),
        "accepted": Run("accepted", cookies=dict(early), choice_made=False),
    }
    checks = {c.id: c for c in site_checks(policy, scan(runs), SitePlan())}
    assert checks["site.before_consent:analytics"].status == "fail"
    assert "site.after_rejection:analytics" not in checks  # "Reject all" was never clicked
    banner = checks["site.banner_missing"]
    assert (banner.status, banner.facts["runs"]) == ("warn", ["rejected", "accepted"])

    runs["rejected"].choice_made = True
    clicked = {c.id: c for c in site_checks(policy, scan(runs), SitePlan())}
    assert clicked["site.after_rejection:analytics"].status == "fail"


def test_each_page_problem_is_a_warning_worded_in_both_languages() -> None:
    policy = load_policy(EXAMPLE)
    kinds = ["failed", "http_error", "slow", "unresponsive", "left_site", "truncated"]
    runs = {
        "no_choice": Run("no_choice", problems=[PageProblem("/p", kind, "why") for kind in kinds]),
        "accepted": Run("accepted", problems=[PageProblem("/p", "slow", "15 s")]),
    }
    checks = {c.id: c for c in site_checks(policy, scan(runs), SitePlan())}
    slow = checks["site.page_slow:/p"]
    assert (slow.status, slow.facts["runs"]) == ("warn", ["no_choice", "accepted"])
    for kind in kinds:
        check = checks[f"site.page_{kind}:/p"]
        assert check.status == "warn"
        assert phrases("ja").title(check).startswith("/p：")
        assert phrases("en").title(check).startswith("/p: ")


def test_a_cookie_draft_states_its_duration_in_japanese_too() -> None:
    from policykeeper.checks.catalogue import cookie_catalogue
    from policykeeper.checks.site_checks import tracker_draft

    policy = load_policy(EXAMPLE)
    known = cookie_catalogue().lookup("_ga")
    assert known is not None and known.retention == "2 years"
    draft = tracker_draft(policy, "_ga", {"storage": "cookie", "first_party": True}, known)
    assert "duration: {ja: 2年, en: 2 years}" in draft


def test_an_undeclared_host_is_not_named_after_a_declared_trackers_platform() -> None:
    policy = load_policy(EXAMPLE)
    ga = policy.trackers[1].model_copy(update={"name": "_ga"})
    policy = policy.model_copy(update={"trackers": [*policy.trackers, ga]})
    widget = SeenRequest("widget.example.net", "/w.js", [], [], [])
    runs = {"accepted": Run("accepted", cookies={"_ga": cookie("_ga")}, requests=[widget])}
    checks = {c.id: c for c in site_checks(policy, scan(runs), SitePlan())}
    host = checks["site.undeclared_host:widget.example.net"]
    assert "catalogue_platform" not in host.facts  # _ga is declared: Google did not send it
    assert "provider: widget.example.net" in (host.proposals[0].draft or "")

    runs["accepted"].cookies["_gid"] = cookie("_gid")  # an undeclared Google cookie appears
    named = {c.id: c for c in site_checks(policy, scan(runs), SitePlan())}
    assert named["site.undeclared_host:widget.example.net"].facts["catalogue_platform"] == (
        "Google Analytics"
    )

    other = SeenRequest("chat.example.org", "/c.js", [], [], [])
    runs["accepted"].requests.append(other)  # two untied hosts: which one set _gid is unknown
    two = {c.id: c for c in site_checks(policy, scan(runs), SitePlan())}
    assert "catalogue_platform" not in two["site.undeclared_host:widget.example.net"].facts
    assert "catalogue_platform" not in two["site.undeclared_host:chat.example.org"].facts
