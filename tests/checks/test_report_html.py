"""The standalone HTML report in a real browser, in both languages at desktop and phone widths:
the policy's own numbered headings, a mark with its meaning on every check, drafts under the
broken ones, and no sideways scrolling on a phone. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from checks_kit import NOW, add_phone_column, ainema_project, database_url, state_url

from policykeeper.checks import run_checks
from policykeeper.checks.html import render_report
from policykeeper.policy.types import Lang
from policykeeper.render.build import build_document

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
HEADINGS = {
    "ja": ("保存期間", "取得する情報"),
    "en": ("How long we keep", "Information we collect"),
}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("report") / "ainema"
    project = ainema_project(folder, users=20)
    add_phone_column(database_url(project))
    return run_checks(project, store_url=state_url(folder), now=NOW).report


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_report_reads_under_the_policys_headings(
    chromium: Any, report: Any, tmp_path: Path, lang: str, width: int
) -> None:
    html = render_report(report, lang)
    assert "http://" not in html and "https://" not in html.split("<main>")[0]  # no external loads
    document = build_document(report_policy(), Lang(lang))
    numbered = {s.anchor: f"{s.number}. {s.title}" for s in document.sections}
    path = tmp_path / f"report-{lang}.html"
    path.write_text(html, encoding="utf-8")
    page = chromium.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    headings = page.locator("section.pk-section h2").all_inner_texts()
    assert numbered["retention"] in headings and numbered["categories"] in headings
    assert any(HEADINGS[lang][0] in h for h in headings)
    broken = page.locator(".pk-check-fail")
    assert broken.count() == 1
    assert broken.locator(".pk-mark").get_attribute("aria-label") == (
        "記載と相違" if lang == "ja" else "broken"
    )
    assert "users.tel2" in broken.inner_text()
    assert "tel2: {category: user.contact.phone_number}" in broken.locator("pre").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"checks-report-{lang}-{width}.png"), full_page=True)
    page.close()


def report_policy() -> Any:
    from checks_kit import EXAMPLE

    from policykeeper.policy import load_policy

    return load_policy(EXAMPLE)
