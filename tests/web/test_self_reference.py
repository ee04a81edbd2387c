"""The operator is named as its declaration names it: an AInema whose policy says 当法人 is
called 当法人 on the privacy center's pages, in the banner, in the emails to the person and to
recipients, in the written reply, in the breach notice and in the staff console; never 当社,
which would state a fact the operator never declared. The default (当社) reads as before.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from servers import unavailable
from test_person_outcomes import a_person_with_coins, completed
from web_kit import Site, ainema_site, sign_in

from policykeeper.policy.models import Policy
from policykeeper.records.incidents import incident_message
from policykeeper.store.records_models import Incident
from policykeeper.web.console_view import console_messages
from policykeeper.web.duty_text import duty_messages
from policykeeper.web.i18n import messages
from policykeeper.web.intake import intake_messages
from policykeeper.workflow.letters import Addressee, Letter, LetterKind, render_letter

WE = "当法人"
DEFAULT = "当社"


def as_corporation(project: Path) -> None:
    """AInema's declaration as an association would write it: its own texts say 当法人, and
    so does its self_reference, so any 当社 left on a page is PolicyKeeper's wording."""
    for name, added in (("policy.yaml", f"self_reference: {WE}\n"), ("datamap.yaml", "")):
        path = project / name
        path.write_text(path.read_text("utf-8").replace(DEFAULT, WE) + added, "utf-8")


@pytest.fixture(scope="module")
def corporation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with ainema_site(tmp_path_factory.mktemp("corporation"), as_corporation) as served:
        assert served.app.state.workflow.policy.self_reference == WE
        yield served


def ja_page(site: Site, path: str) -> str:
    response = site.client().get(path, params={"lang": "ja"})
    assert response.status_code == 200, (path, response.status_code)
    return response.text


def breach_notice(policy: Policy) -> str:
    """The Japanese notice to the people affected by a leak (Rules Art. 10), as mailed."""
    incident = Incident(
        texts={
            "ja": {"summary": "外部からの不正アクセスがありました。", "response": "調査中です。"}
        },
        cause="unauthorized_access",
        categories=["user.contact.email"],
        occurred_from=None,
        occurred_to=None,
    )
    message = incident_message(policy, incident, "ja")
    return f"{message.subject}\n{message.body}"


def test_the_center_and_the_banner_name_the_declared_operator(corporation: Site) -> None:
    pages = {
        path: ja_page(corporation, path)
        for path in ("/", "/requests/access", "/policy", "/consent/preferences")
    }
    banner = corporation.client().get("/consent/config.json").json()["messages"]["ja"]
    assert "当法人が保有するお客様の個人情報を" in pages["/requests/access"]
    assert "当法人" in pages["/policy"]  # the renderer already read the declaration
    for where, text in [*pages.items(), ("banner", str(banner))]:
        assert DEFAULT not in text, where


def test_the_no_data_outcome_names_the_declared_operator(corporation: Site) -> None:
    token, mail = completed(corporation, "ja", "access", "nobody-corporation@example.jp")
    page = corporation.client(**{"accept-language": "ja"}).get(f"/status/{token}").text
    for text in (page, mail):
        assert "ご請求に係る保有個人データは、当法人では保有しておりません。" in text
        assert "ご入力のメールアドレスで当法人の記録を確認しましたが" in text
        assert DEFAULT not in text


def test_the_erasure_email_and_the_console_name_the_operators_own_places(
    corporation: Site,
) -> None:
    _id, email = a_person_with_coins(corporation, 0)
    token, mail = completed(corporation, "ja", "erasure", email)
    assert "当法人のデータベース：" in mail and DEFAULT not in mail
    handler = sign_in(corporation, "handler")
    detail = handler.get(f"/admin/requests/{token.split('.')[0]}", params={"lang": "ja"}).text
    assert "当法人のセッション・キャッシュ" in detail and DEFAULT not in detail
    incident = handler.get("/admin/incidents/new", params={"lang": "ja"}).text
    assert "当法人が事態を知った日時です。" in incident
    assert "当法人の対応と本人へのお願い" in incident and DEFAULT not in incident


def test_the_breach_notice_names_the_declared_operator(corporation: Site) -> None:
    notice = breach_notice(corporation.app.state.workflow.policy)
    assert "このたび、当法人が取り扱うお客様の個人データについて" in notice
    assert "5．当法人の対応とお客様へのお願い" in notice
    assert DEFAULT not in notice


def test_the_written_reply_names_the_declared_operator(corporation: Site) -> None:
    if not shutil.which("pdftotext"):
        unavailable("pdftotext is missing (apt-get install poppler-utils)")
    letter = Letter(
        LetterKind.not_held,
        Addressee("山田 花子", "岡山県岡山市北区富田町1-6-10", "700-0816"),
        "AI-2026-0001",
        date(2026, 11, 20),
        date(2026, 12, 1),
    )
    pdf = render_letter(corporation.app.state.workflow.policy, letter, "ja")
    read = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    text = "".join(read.stdout.decode("utf-8").split())
    assert "ご請求に係る保有個人データを当法人は保有しておりません" in text
    assert DEFAULT not in text


def test_every_web_catalogue_is_read_as_the_declared_operator() -> None:
    """The pages not rendered above (the intake console's grounds) use the same catalogues."""
    for catalogue in (messages, console_messages, duty_messages, intake_messages):
        worded = repr(catalogue("ja", WE).tree)
        assert DEFAULT not in worded, catalogue.__name__
    assert "当法人の方針に定める理由から選択してください" in repr(intake_messages("ja", WE).tree)


def test_the_default_declaration_still_says_tousha(site: Site) -> None:
    assert site.app.state.workflow.policy.self_reference == DEFAULT
    assert "当社が保有するお客様の個人情報を" in ja_page(site, "/requests/access")
    notice = breach_notice(site.app.state.workflow.policy)
    assert "このたび、当社が取り扱う" in notice and WE not in notice
    incident = sign_in(site, "handler").get("/admin/incidents/new", params={"lang": "ja"}).text
    assert "当社が事態を知った日時です。" in incident and WE not in incident
