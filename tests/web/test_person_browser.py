# ruff: noqa: F811
"""The person's side of issue 18 in a real browser (Debian's Chromium, never a downloaded one),
in Japanese and English at 1280 and 390 px: an access request for an address the service does
not know ends in "no retained personal data", and a real person's export is downloaded, its
explanation page opened, and checked to hold no session token. Screenshots are kept under
artifacts/screenshots; no page scrolls sideways on the phone.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

# The served app of the other browser tests, reused: `live` is a fixture, hence the noqa.
from test_browser import SCREENSHOTS, Live, live, person_with_history  # noqa: F401

pytestmark = pytest.mark.browser

SIZES = {"1280": (1280, 900), "390": (390, 844)}
CASES = [(lang, size) for lang in ("ja", "en") for size in SIZES]
WORDS = {
    "ja": {
        "locale": "ja-JP",
        "email": "メールアドレス",
        "send": "確認コードを送る",
        "code": "確認コード（6桁の数字）",
        "verify": "本人確認を完了する",
        "no_data": "ご請求に係る保有個人データは、当社では保有しておりません。",
        "state": "完了しました（保有個人データはありません）",
        "readme": "同梱のファイル",
    },
    "en": {
        "locale": "en-GB",
        "email": "Email address",
        "send": "Send me a code",
        "code": "Code (six digits)",
        "verify": "Confirm",
        "no_data": "We hold no personal data about you.",
        "state": "Completed (no personal data held)",
        "readme": "Files in this archive",
    },
}


def sideways(page: Any) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def ask_for_access(chromium: Any, live: Live, lang: str, size: str, email: str) -> tuple[Any, str]:
    """Fill the access form, type the emailed code, have staff approve; the status page open."""
    words = WORDS[lang]
    width, height = SIZES[size]
    context = chromium.new_context(
        locale=words["locale"], viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{live.base}/requests/access")
    page.get_by_label(words["email"]).fill(email)
    page.get_by_role("button", name=words["send"]).click()
    code = live.inbox.wait_for(email, r"(?:確認コード|Verification code)[:：] ?(\d{6})").group(1)
    page.get_by_role("textbox", name=words["code"]).fill(code)
    page.get_by_role("button", name=words["verify"]).click()
    page.locator(".alert.success").wait_for()
    status_url = live.inbox.wait_for(email, r"(http://\S+/status/\S+)").group(1)
    flow = live.app.state.workflow
    reference = status_url.rsplit("/", 1)[1].split(".")[0]
    flow.decide(reference, "staff:browser", approve=True)
    deadline = time.monotonic() + 30
    while flow.get(reference).state != "completed":
        assert time.monotonic() < deadline, "the worker did not complete the request"
        time.sleep(0.2)
    page.goto(status_url)
    return page, status_url


@pytest.mark.parametrize(("lang", "size"), CASES)
def test_an_unknown_address_ends_in_no_retained_personal_data(
    chromium: Any, live: Live, lang: str, size: str
) -> None:
    words = WORDS[lang]
    page, _ = ask_for_access(chromium, live, lang, size, f"nobody-{lang}-{size}@example.jp")
    assert page.locator("[data-state]").first.get_attribute("data-outcome") == "no_data"
    assert page.locator(".state").inner_text() == words["state"]
    assert words["no_data"] in page.locator(".outcome").inner_text()
    assert page.locator("a[href^='/download/']").count() == 0
    shot(page, f"person-no-data-{lang}-{size}")
    assert sideways(page) <= 0
    page.context.close()


def session_tokens(service_url: str, user_id: int) -> list[str]:
    engine = sa.create_engine(service_url)
    with engine.connect() as connection:
        tokens = connection.execute(
            sa.text("SELECT token FROM sessions WHERE user_id = :u"), {"u": user_id}
        ).scalars()
        found = [str(t) for t in tokens]
    engine.dispose()
    return found


@pytest.mark.parametrize(("lang", "size"), CASES)
def test_the_export_explains_itself_and_holds_no_session_token(
    chromium: Any, live: Live, lang: str, size: str, tmp_path: Path
) -> None:
    user_id, email = person_with_history(live.service_url, 3 + CASES.index((lang, size)))
    tokens = session_tokens(live.service_url, user_id)
    page, _ = ask_for_access(chromium, live, lang, size, email)
    button = page.locator("a[href^='/download/']")
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= SIZES[size][0]
    shot(page, f"person-download-{lang}-{size}")
    assert sideways(page) <= 0
    with page.expect_download() as waiting:
        button.click()
    archive = zipfile.ZipFile(io.BytesIO(Path(waiting.value.path()).read_bytes()))
    assert archive.namelist()[0] == "README.html"
    everything = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    assert email in everything
    for token in tokens:
        assert token not in everything
    readme = tmp_path / "README.html"
    readme.write_bytes(archive.read("README.html"))
    page.goto(readme.as_uri())
    assert page.locator("html").get_attribute("lang") == lang
    assert words_in(page, WORDS[lang]["readme"])
    shot(page, f"person-export-readme-{lang}-{size}")
    assert sideways(page) <= 0
    page.context.close()


def words_in(page: Any, text: str) -> bool:
    return text in page.locator("body").inner_text()
