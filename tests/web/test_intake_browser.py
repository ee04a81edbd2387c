"""Done when (issue 12): in Chromium, staff file a postal request for Audiostock, attach the
scan, check it (a health-insurance card is refused until its numbers are confirmed masked),
set and record the registered-mail cost, approve, and produce the letter PDF; the page
rendered by pdftoppm shows the Japanese text (read back by pdftotext), kept as an artifact."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn
from PIL import Image
from servers import unavailable
from store.kit import free_port, quick_settings

from policykeeper.examples.generation import generate
from policykeeper.web.app import create_app
from policykeeper.workflow import intake

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "intake"
PASSWORD = "browser-test-password"


class Dropped:
    """Email the app would send; a person who chose a letter is sent none."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append(to)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, str, Dropped]]:
    folder = tmp_path_factory.mktemp("intake-browser")
    project = folder / "audiostock"
    shutil.copytree(
        ROOT / "examples" / "audiostock", project, ignore=shutil.ignore_patterns("*.sqlite3")
    )
    with (project / "datamap.yaml").open("a", encoding="utf-8") as datamap:  # see test_intake
        datamap.write(
            "\nrecipients:\n  audiostock_artists:\n"
            "    nothing_to_erase: {ja: 試験用の仮の記述, en: a stand-in for the test}\n"
        )
    service_url = f"sqlite:///{project / 'audiostock.sqlite3'}"
    generate("audiostock", service_url, 20, progress=False)
    engine = sa.create_engine(service_url)
    with engine.connect() as connection:
        email = connection.execute(sa.text("SELECT email FROM users WHERE id = 4")).scalar_one()
    engine.dispose()
    port = free_port()
    mail = Dropped()
    app = create_app(
        project,
        database_url=f"sqlite:///{folder / 'state.sqlite3'}",
        mailer=mail,
        settings=quick_settings(base_url=f"http://127.0.0.1:{port}"),
        secret_key=b"intake-browser-secret-key-0123456",
    )
    app.state.staff.create("handler", PASSWORD, "handler")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app, str(email), mail
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def scan() -> dict[str, Any]:
    """A scanned card as the scanner writes it: a real PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 220, 240)).save(buffer, format="PNG")
    return {"name": "保険証.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def test_staff_file_a_postal_request_and_print_the_letter(
    chromium: Any, live: tuple[str, Any, str, Dropped]
) -> None:
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        unavailable("pdftoppm/pdftotext are missing (apt-get install poppler-utils)")
    base, app, email, mail = live
    flow = app.state.workflow
    received = intake.today(flow) - timedelta(days=3)
    context = chromium.new_context(locale="ja-JP", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/admin/login")
    page.locator("#username").fill("handler")
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/admin/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/admin/requests$"))

    page.get_by_role("link", name="書面等による受付").click()
    page.get_by_role("link", name="新規受付を記録する").click()
    assert page.locator("h1").inner_text() == "書面等による請求の受付"
    page.get_by_label("請求の種類").select_option("access")
    page.get_by_label("受付方法").select_option("post")
    page.get_by_label("受付日").fill(received.isoformat())
    page.get_by_label("氏名", exact=True).fill("山田 花子")
    page.get_by_label("登録メールアドレス").fill(email)
    page.get_by_label("郵便番号").fill("700-0816")
    page.get_by_label("住所").fill("岡山県岡山市北区富田町1-6-10")
    page.get_by_label("回答の方法").select_option("letter")
    page.get_by_role("button", name="受付を記録する").click()
    page.wait_for_url(re.compile(r".*/admin/intake/[0-9a-f]{32}$"))
    request_id = page.url.rsplit("/", 1)[1]
    row = flow.get(request_id)
    assert row.received_at.date() <= received  # 00:00 JST of the day received
    assert page.locator("[data-channel]").inner_text() == "郵送"
    assert f"{received.year}年{received.month}月{received.day}日" in page.content()

    page.get_by_label("ファイル").set_input_files(scan())
    page.get_by_role("button", name="書類を添付する").click()
    assert "本人確認書類の写し：保険証.png" in page.locator("#documents-heading + ul").inner_text()
    page.get_by_label("確認した書類").select_option("health_insurance_card")
    page.get_by_role("button", name="確認結果を記録する").click()
    # Not confirmed masked: refused on the same page, saying what to do, nothing recorded.
    assert "マスキングされていることを確認してください" in page.locator("#problem").inner_text()
    assert not page.locator("[data-check]").count()
    page.get_by_label("確認した書類").select_option("health_insurance_card")
    page.get_by_label("保険者番号及び被保険者等記号・番号がマスキングされている").check()
    page.get_by_label("備考").fill("保険者番号等の黒塗りを確認")
    page.get_by_role("button", name="確認結果を記録する").click()
    assert page.locator("[data-check]").get_attribute("data-check") == "approved"
    assert "番号のマスキング確認済み" in page.locator("[data-check]").inner_text()

    page.get_by_label("金額（円）").fill("590")
    page.get_by_role("button", name="金額を設定する").click()
    assert "590円" in page.locator("#fee-heading + p").inner_text()
    page.get_by_label("支払方法").select_option("postal_money_order")
    page.get_by_role("button", name="手数料の受領を記録する").click()
    assert "定額小為替" in page.locator("[data-paid]").inner_text()

    page.get_by_role("button", name="開示を決定する").click()
    deadline = time.monotonic() + 60
    while page.locator("[data-state]").get_attribute("data-state") != "completed":
        assert time.monotonic() < deadline, "execution did not finish"
        time.sleep(0.5)
        page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="回答書面（PDF）を作成する").click()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "browser-letter.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    squeezed = "".join(text.split())
    assert "保有個人データの開示について（通知）" in squeezed
    assert "山田花子様" in squeezed and "〒700-0816" in squeezed
    assert "株式会社オーディオストック" in squeezed or "オーディオストック" in squeezed
    assert email in squeezed
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", "-singlefile", str(pdf), str(pdf.with_suffix(""))],
        check=True,
    )
    image = Image.open(pdf.with_suffix(".png")).convert("L")
    top = image.crop((0, 0, image.width, image.height // 3))
    assert sum(top.histogram()[:128]) > 3000  # the heading and address are printed, in ink

    page.get_by_label("書留番号").fill("1234-5678-9012")
    page.get_by_role("button", name="発送を記録する").click()
    dispatched = page.locator("[data-dispatched]")
    assert dispatched.get_attribute("data-dispatched") == "123456789012"
    assert "書留番号 1234-5678-9012" in dispatched.inner_text()
    actions = [e.action for e in flow.history(request_id)]
    for action in ("document_checked", "fee_set", "fee_paid", "approved", "letter_sent"):
        assert action in actions
    assert email not in mail.sent  # the person chose paper
    page.screenshot(path=str(ARTIFACTS / "browser-intake.png"), full_page=True)
    context.close()
