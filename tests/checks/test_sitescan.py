"""The site scan against pages that misbehave: a script that never yields, a page that never
finishes loading, a download, a redirect to another host, and a flood of storage keys and
requests. Each is recorded as that page's problem; none stops or hangs the scan, the pages after
them are still scanned, and what is kept stays bounded."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from checks_kit import EXAMPLE, elsewhere_site, hostile_site, serve
from servers import unavailable

from policykeeper.checks.pages import SitePlan
from policykeeper.checks.site_checks import site_checks
from policykeeper.checks.sitescan import CHROMIUM, MAX_RECORDED, scan_site
from policykeeper.errors import InputError
from policykeeper.policy import load_policy

pytestmark = pytest.mark.browser
ELSEWHERE = "127.0.0.3"
PAGES = ["/busy", "/", "/never-loads", "/download", "/away", "/missing", "/flood"]


def problems(scan: object, run: str) -> set[tuple[str, str]]:
    return {(p.page, p.problem) for p in scan.runs[run].problems}  # type: ignore[attr-defined]


def test_misbehaving_pages_are_recorded_and_the_scan_goes_on(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with (
        serve(elsewhere_site(), ELSEWHERE) as elsewhere,
        serve(hostile_site(elsewhere), "127.0.0.1") as site,
    ):
        started = time.monotonic()
        # Long enough for "/" to load while the other test worker loads both cores; the pages
        # that never load or never yield still reach it.
        scan = scan_site(site, PAGES, settle_ms=100, timeout_ms=4000)
        elapsed = time.monotonic() - started

    assert elapsed < 240  # every wait has a deadline: 7 pages x 4 runs
    for name, run in scan.runs.items():
        assert {
            ("/busy", "unresponsive"),
            ("/never-loads", "slow"),
            ("/download", "failed"),
            ("/away", "left_site"),
            ("/missing", "http_error"),
            ("/flood", "truncated"),
            ("*", "truncated"),
        } <= problems(scan, name), name
        assert not any(p.page == "/" for p in run.problems)  # scanned after the hung page
        assert len(run.local_storage) == MAX_RECORDED  # 2,000 keys set, 500 kept
        assert len(run.requests) == MAX_RECORDED  # 2,000 distinct requests, 500 kept
        assert "elsewhere_id" in run.cookies and not run.cookies["elsewhere_id"].first_party
    assert [run.choice_made for run in scan.runs.values()] == [None, False, False, False]

    checks = {c.id: c for c in site_checks(load_policy(EXAMPLE), scan, SitePlan(PAGES))}
    assert checks["site.page_unresponsive:/busy"].status == "warn"
    assert checks["site.page_left_site:/away"].facts["detail"] == f"{elsewhere}/"
    assert checks["site.page_failed:/download"].facts["runs"] == list(scan.runs)
    assert checks["site.page_http_error:/missing"].facts["detail"] == "HTTP 404"
    banner = checks["site.banner_missing"]
    assert banner.status == "warn" and banner.facts["runs"] == ["rejected", "gpc", "accepted"]
    assert not any(c.kind == "site.after_rejection" for c in checks.values())  # none happened


def test_a_site_none_of_whose_pages_open_is_unusable_input(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with (
        serve(hostile_site("http://127.0.0.3:9"), "127.0.0.1") as site,
        pytest.raises(InputError, match="Download is starting"),
    ):
        scan_site(site, ["/download"], settle_ms=100, timeout_ms=1500)
