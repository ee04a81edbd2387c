"""Site findings: the scan's cookies, storage keys and hosts held against the declared trackers.

Each check sits in the policy's cookie section, on the tracker's row when there is one. An
undeclared cookie is named from the Open Cookie Database and gets a draft tracker entry; an
undeclared host gets a draft entry and the line that ties it in the pages file.
"""

from __future__ import annotations

import re

from policykeeper.checks.catalogue import CookieCatalogue, KnownCookie, cookie_catalogue
from policykeeper.checks.pages import SitePlan
from policykeeper.checks.report import Check, Proposal, Tie
from policykeeper.checks.sections import Labels
from policykeeper.checks.sitescan import CONSENT_COOKIE, SiteScan
from policykeeper.checks.text import phrases
from policykeeper.consent.catalog import Catalog
from policykeeper.policy.models import Policy, Tracker

SECTION = "trackers"
OWN_COOKIES = {CONSENT_COOKIE: "consent_cookie", "pk_lang": "language_cookie"}
"""PolicyKeeper's own cookies on the service's pages: necessary, and described by its banner."""
BEFORE = {"no_choice": "site.before_consent", "rejected": "site.after_rejection"}
KIND_OF_CATEGORY = {
    "Analytics": "analytics",
    "Marketing": "advertising",
    "Personalization": "personalization",
    "Functional": "functional",
    "Necessary": "necessary",
    "Security": "necessary",
}


def declared_tracker(policy: Policy, name: str) -> Tracker | None:
    """The tracker a cookie or key belongs to: its exact name, or a name ending in '*'."""
    for tracker in policy.trackers:
        if tracker.name == name or (
            tracker.name.endswith("*") and name.startswith(tracker.name[:-1])
        ):
            return tracker
    return None


def _before(scan: SiteScan) -> dict[str, str]:
    """The runs whose sightings break a consent promise: before any choice, and after "Reject
    all" only when the banner's button was really clicked (else no rejection happened)."""
    return {
        name: kind
        for name, kind in BEFORE.items()
        if name not in scan.runs or scan.runs[name].choice_made is not False
    }


def site_checks(
    policy: Policy, scan: SiteScan, plan: SitePlan, catalogue: CookieCatalogue | None = None
) -> list[Check]:
    labels = Labels(policy)
    before = _before(scan)
    catalogue = catalogue or cookie_catalogue()
    gpc_purposes = {
        key for key, item in Catalog.from_policy(policy).items.items() if item.opt_out_use
    }
    checks: list[Check] = []
    seen_names: dict[str, list[str]] = {}
    for run in scan.runs.values():
        for name in [*run.cookies, *run.local_storage, *run.session_storage]:
            seen_names.setdefault(name, []).append(run.name)
    for name, runs in sorted(seen_names.items()):
        if name in OWN_COOKIES:
            checks.append(_check("site.own_cookie", "pass", name, None, {"runs": runs}))
            continue
        tracker = declared_tracker(policy, name)
        cookie = _cookie_facts(scan, name)
        if tracker is None:
            known = catalogue.lookup(name)
            checks += _undeclared(policy, name, runs, cookie, known, before)
            continue
        row = Tie(SECTION, f"tracker:{tracker.name}", Labels.plain(tracker.name))
        facts = {"runs": runs, **cookie}
        broken = False
        if tracker.consent_required:
            for run_name, kind in before.items():
                if run_name in runs:
                    broken = True
                    checks.append(
                        Check(f"{kind}:{name}", kind, "fail", row, name, facts, _gate(tracker))
                    )
        if "gpc" in runs and policy.signals.gpc and tracker.purpose in gpc_purposes:
            broken = True
            checks.append(
                Check(
                    f"site.gpc_ignored:{name}",
                    "site.gpc_ignored",
                    "fail",
                    row,
                    name,
                    facts,
                    _gate(tracker),
                )
            )
        if not broken:
            checks.append(
                Check(f"site.tracker_seen:{name}", "site.tracker_seen", "pass", row, name, facts)
            )
    for tracker in policy.trackers:
        if tracker.type in ("cookie", "local_storage") and not any(
            declared_tracker(policy, name) is tracker for name in seen_names
        ):
            checks.append(
                Check(
                    f"site.tracker_not_seen:{tracker.name}",
                    "site.tracker_not_seen",
                    "warn",
                    Tie(SECTION, f"tracker:{tracker.name}", Labels.plain(tracker.name)),
                    tracker.name,
                    {"pages": scan.pages},
                    (
                        Proposal(
                            "policy.yaml",
                            f"# remove the tracker entry '{tracker.name}' if the site no longer sets it",
                        ),
                        Proposal("pages", "pages:\n  - /the-page-that-sets-it"),
                    ),
                )
            )
    checks += _hosts(policy, scan, plan, labels, before, catalogue)
    checks += _gpc(policy, scan, gpc_purposes, checks)
    checks += _banner(scan)
    checks += _page_problems(scan)
    return checks


def _check(kind: str, status: str, subject: str, row: str | None, facts: dict) -> Check:  # type: ignore[type-arg]
    return Check(f"{kind}:{subject}", kind, status, Tie(SECTION, row), subject, facts)  # type: ignore[arg-type]


def _cookie_facts(scan: SiteScan, name: str) -> dict[str, object]:
    for run in scan.runs.values():
        cookie = run.cookies.get(name)
        if cookie is not None:
            return {
                "storage": "cookie",
                "domain": cookie.domain,
                "first_party": cookie.first_party,
                "lifetime_days": cookie.lifetime_days,
            }
    for run in scan.runs.values():
        if name in run.local_storage:
            return {"storage": "localStorage"}
    return {"storage": "sessionStorage"}


def _gate(tracker: Tracker) -> tuple[Proposal, ...]:
    return (
        Proposal(
            "system",
            f'<script type="text/plain" data-category="{tracker.purpose}" src="…"></script>',
            "site_gate",
        ),
    )


def _undeclared(
    policy: Policy,
    name: str,
    runs: list[str],
    cookie: dict[str, object],
    known: KnownCookie | None,
    before: dict[str, str],
) -> list[Check]:
    row = Tie(SECTION, f"cookie:{name}", Labels.plain(name))
    facts: dict[str, object] = {"runs": runs, **cookie}
    if known is not None:
        facts["catalogue"] = known.to_json()
    draft = tracker_draft(policy, name, cookie, known)
    checks = [
        Check(
            f"site.undeclared_cookie:{name}",
            "site.undeclared_cookie",
            "fail",
            row,
            name,
            facts,
            (Proposal("policy.yaml", draft), Proposal("system", None, "site_remove")),
        )
    ]
    if known is not None and known.needs_consent:
        for run_name, kind in before.items():
            if run_name in runs:
                checks.append(
                    Check(
                        f"{kind}:{name}",
                        kind,
                        "fail",
                        row,
                        name,
                        facts,
                        (Proposal("system", None, "site_gate"),),
                    )
                )
    return checks


def tracker_draft(
    policy: Policy, name: str, cookie: dict[str, object], known: KnownCookie | None
) -> str:
    """A draft `trackers:` entry for policy.yaml, filled from the scan and the catalogue."""
    kind = KIND_OF_CATEGORY.get(known.category, "analytics") if known else "analytics"
    purpose = _purpose_for(policy, kind)
    storage = {"localStorage": "local_storage", "sessionStorage": "local_storage"}
    lines = [
        "trackers:",
        f"  - name: {_yaml(name)}",
        f"    type: {storage.get(str(cookie.get('storage')), 'cookie')}",
        f"    kind: {kind}",
        f"    purpose: {purpose}",
        f"    provider: {_yaml(known.platform if known else name)}",
        f"    first_party: {'true' if cookie.get('first_party', True) else 'false'}",
    ]
    if known is not None and known.retention:
        ja = _japanese_duration(known.retention)
        lines.append(
            f"    duration: {{ja: {_yaml(ja or known.retention)}, en: {_yaml(known.retention)}}}"
            + ("" if ja else "  # add the ja text")
        )
    elif cookie.get("lifetime_days") is not None:
        days = round(float(str(cookie["lifetime_days"])))
        lines.append(f"    duration: {{ja: {days}日, en: {days} days}}")
    if known is not None and known.description:
        lines.append(f"    description: {{en: {_yaml(known.description)}}}  # add the ja text")
    return "\n".join(lines)


def _japanese_duration(text: str) -> str | None:
    """The catalogue's English retention ('2 years', 'Session') as a Japanese policy says it."""
    lower = text.strip().lower()
    if lower in ("session", "end of session (browser)"):
        return "セッション終了まで"
    short = re.fullmatch(r"(\d+)\s*(minute|hour)s?", lower)
    if short:
        return short[1] + ("分" if short[2] == "minute" else "時間")
    worded = phrases("ja").period(lower)
    return worded if worded != lower else None


def _purpose_for(policy: Policy, kind: str) -> str:
    same = next((t.purpose for t in policy.trackers if t.kind == kind), None)
    if same is not None:
        return same
    return next((p.id for p in policy.purposes if p.id == kind), kind)


def _yaml(text: str) -> str:
    plain = text.replace('"', "'")
    needs_quotes = any(ch in plain for ch in ":#{}[],&*!|>%@`") or plain != plain.strip()
    return f'"{plain}"' if needs_quotes or not plain else plain


def _hosts(
    policy: Policy,
    scan: SiteScan,
    plan: SitePlan,
    labels: Labels,
    before: dict[str, str],
    catalogue: CookieCatalogue,
) -> list[Check]:
    checks: list[Check] = []
    contacts: dict[str, dict[str, set[str]]] = {}
    for run in scan.runs.values():
        for request in run.requests:
            seen = contacts.setdefault(
                request.host,
                {
                    "runs": set(),
                    "query_keys": set(),
                    "cookie_names": set(),
                    "body_keys": set(),
                    "paths": set(),
                },
            )
            seen["runs"].add(run.name)
            seen["paths"].add(request.path)
            seen["query_keys"].update(request.query_keys)
            seen["cookie_names"].update(request.cookie_names)
            seen["body_keys"].update(request.body_keys)
    for host, seen in sorted(contacts.items()):
        facts: dict[str, object] = {key: sorted(values) for key, values in seen.items()}
        tie = plan.hosts.get(host)
        if tie is None:
            # Naming from the site's cookies is a guess that holds for one untied host only.
            alone = sum(1 for other in contacts if other not in plan.hosts) == 1
            names = set(seen["cookie_names"]) | (
                _undeclared_cookies(policy, scan) if alone else set()
            )
            platform = _platform_of(host, names, catalogue)
            if platform:
                facts["catalogue_platform"] = platform
            draft = _host_draft(policy, host, platform, seen)
            checks.append(
                Check(
                    f"site.undeclared_host:{host}",
                    "site.undeclared_host",
                    "fail",
                    Tie(SECTION, f"host:{host}", Labels.plain(host)),
                    host,
                    facts,
                    (
                        Proposal("policy.yaml", draft),
                        Proposal(
                            "pages", f"hosts:\n  {host}: {{tracker: {_draft_name(host, platform)}}}"
                        ),
                        Proposal("system", None, "site_remove"),
                    ),
                )
            )
            continue
        if tie.kind == "first_party":
            checks.append(
                Check(
                    f"site.host_declared:{host}",
                    "site.host_own",
                    "pass",
                    Tie(SECTION, f"host:{host}", Labels.plain(host)),
                    host,
                    facts,
                )
            )
            continue
        if tie.kind == "recipient":
            row = Tie("recipients", f"recipient:{tie.ref}", labels.recipient(str(tie.ref)))
            checks.append(
                Check(f"site.host_declared:{host}", "site.host_declared", "pass", row, host, facts)
            )
            continue
        tracker = declared_tracker(policy, str(tie.ref))
        row = Tie(SECTION, f"tracker:{tie.ref}", Labels.plain(str(tie.ref)))
        early = [r for r in before if r in seen["runs"]]
        if tracker is not None and tracker.consent_required and early:
            for run_name in early:
                kind = before[run_name]
                checks.append(
                    Check(f"{kind}:{host}", kind, "fail", row, host, facts, _gate(tracker))
                )
        else:
            checks.append(
                Check(f"site.host_declared:{host}", "site.host_declared", "pass", row, host, facts)
            )
    return checks


def _undeclared_cookies(policy: Policy, scan: SiteScan) -> set[str]:
    """Cookies the policy does not declare: only these can have come from an undeclared host
    (a declared tracker's cookie says nothing about who else the page talks to)."""
    return {
        c.name
        for run in scan.runs.values()
        for c in run.cookies.values()
        if declared_tracker(policy, c.name) is None
    }


def _platform_of(host: str, cookie_names: set[str], catalogue: CookieCatalogue) -> str | None:
    """The platform the catalogue ties to the host's domain; else the one platform whose
    consent-requiring cookies appear on the site (none when several could have sent it)."""
    for entry in [*catalogue.exact.values(), *catalogue.prefixes]:
        domain = entry.domain.replace("(3rd party)", "").strip().lstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return entry.platform
    platforms = {
        known.platform
        for name in cookie_names
        if name not in OWN_COOKIES
        and (known := catalogue.lookup(name)) is not None
        and known.needs_consent
    }
    return platforms.pop() if len(platforms) == 1 else None


def _draft_name(host: str, platform: str | None) -> str:
    return (platform or host).lower().replace(" ", "_").replace(".", "_")


def _host_draft(policy: Policy, host: str, platform: str | None, seen: dict[str, set[str]]) -> str:
    name = _draft_name(host, platform)
    sends = ["user.device.cookie"] if seen["cookie_names"] or seen["query_keys"] else []
    lines = [
        "trackers:",
        f"  - name: {name}",
        "    type: module",
        "    kind: analytics",
        f"    purpose: {_purpose_for(policy, 'analytics')}",
        f"    provider: {_yaml(platform or host)}",
        "    first_party: false",
    ]
    if sends:
        lines.append(f"    sends: [{', '.join(sends)}]")
    lines.append(
        f"    # sent to {host}: {', '.join(sorted(seen['query_keys'] | seen['body_keys'])) or 'no parameters'}"
    )
    return "\n".join(lines)


def _gpc(policy: Policy, scan: SiteScan, gpc_purposes: set[str], found: list[Check]) -> list[Check]:
    if not policy.signals.gpc:
        return []
    tie = Tie(SECTION, "signals:gpc", Labels.plain("Global Privacy Control"))
    served = scan.gpc_json is not None and scan.gpc_json.get("gpc") is True
    checks = [
        Check(
            "site.gpc_json",
            "site.gpc_json",
            "pass" if served else "fail",
            tie,
            "/.well-known/gpc.json",
            {"body": scan.gpc_json},
            ()
            if served
            else (Proposal("system", '{"gpc": true, "lastUpdate": "YYYY-MM-DD"}', "site_gpc"),),
        )
    ]
    gpc_run = scan.runs.get("gpc")
    if gpc_run is not None:
        ignored = sorted(c.subject for c in found if c.kind == "site.gpc_ignored")
        checks.append(
            Check(
                "site.gpc_run",
                "site.gpc_run",
                "fail" if ignored else "pass",
                tie,
                "GPC",
                {
                    "purposes": sorted(gpc_purposes),
                    "choice_made": gpc_run.choice_made,
                    "active": ignored,
                },
            )
        )
    return checks


def _banner(scan: SiteScan) -> list[Check]:
    """Runs that were to click the banner but found no button: they made no choice, so what
    they saw says nothing about rejection or consent."""
    missed = [name for name, run in scan.runs.items() if run.choice_made is False]
    if not missed:
        return []
    return [
        Check(
            "site.banner_missing",
            "site.banner_missing",
            "warn",
            Tie(SECTION, None),
            scan.pages[0] if scan.pages else "/",
            {"runs": missed},
            (Proposal("system", None, "site_banner"),),
        )
    ]


def _page_problems(scan: SiteScan) -> list[Check]:
    """A warning per page and problem (did not open, still loading, hung, left the site, too
    much to record), with the runs it happened in: that page's evidence is incomplete."""
    runs: dict[tuple[str, str], list[str]] = {}
    details: dict[tuple[str, str], str] = {}
    for run in scan.runs.values():
        for problem in run.problems:
            key = (problem.problem, problem.page)
            details.setdefault(key, problem.detail)
            if run.name not in runs.setdefault(key, []):
                runs[key].append(run.name)
    return [
        Check(
            f"site.page_{problem}:{page}",
            f"site.page_{problem}",
            "warn",
            Tie(SECTION, None),
            page,
            {"runs": runs[(problem, page)], "detail": details[(problem, page)]},
        )
        for problem, page in sorted(runs)
    ]
