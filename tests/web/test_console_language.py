"""The console in the staff's language: engine output, audit entries and request details are
translated tables with declared labels; raw JSON only behind the 詳細 toggle; no English from
the engine in the Japanese console and no Japanese labels in the English one."""

from __future__ import annotations

import html as html_lib
import re

import pytest
import sqlalchemy as sa
from web_kit import Site, form_fields, sign_in

from policykeeper.project import load_project
from policykeeper.workflow.service import NewRequest
from policykeeper.workflow.states import State

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
RAW_JSON = re.compile(r'[{\[]\s*"|"\s*:\s*[{\["\d]')


def visible_text(page: str) -> str:
    """What a reader sees outside the 詳細 toggles: no scripts, no tags, no personal data
    (marked <bdi class="data">) and no links naming another language in its own words."""
    for pattern in (
        r"<details\b.*?</details>",
        r"<script\b.*?</script>",
        r"<style\b.*?</style>",
        r'<bdi class="data">.*?</bdi>',
        r'<a [^>]*\blang="[a-z]+"[^>]*>.*?</a>',
        r"<title>.*?</title>",
    ):
        page = re.sub(pattern, " ", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def made(site: Site, kind: str, email: str, **details: object) -> str:
    """A request submitted and confirmed by its emailed code; its id."""
    flow = site.app.state.workflow
    submitted = flow.submit(
        NewRequest(kind=kind, email=email, language="ja", details=details), "10.1.1.1"
    )
    flow.verify_code(submitted.status_token, site.mail.code(email), "10.1.1.1")
    return submitted.request_id


def member_email(site: Site, offset: int) -> str:
    engine = sa.create_engine(site.service_url)
    with engine.connect() as connection:
        email = connection.execute(
            sa.text("SELECT email FROM users ORDER BY id LIMIT 1 OFFSET :n"), {"n": offset}
        ).scalar_one()
    engine.dispose()
    return str(email)


@pytest.fixture(scope="module")
def requests_in_every_state(site: Site) -> list[str]:
    from policykeeper.web.execution import execute_now

    flow = site.app.state.workflow
    ids = []
    erased = made(site, "erasure", member_email(site, 6))
    flow.decide(erased, "staff:handler", approve=True)
    execute_now(flow, erased)
    ids.append(erased)
    accessed = made(site, "access", member_email(site, 7))
    flow.decide(accessed, "staff:handler", approve=True)
    execute_now(flow, accessed)
    ids.append(accessed)
    ids.append(made(site, "erasure", member_email(site, 8)))
    ids.append(made(site, "erasure", "nobody-here@example.jp"))
    corrected = made(
        site, "rectification", member_email(site, 9), changes={"users.display_name": "Sato"}
    )
    ids.append(corrected)
    denied = made(site, "restriction", member_email(site, 10))
    ids.append(denied)
    assert flow.get(erased).state in (State.completed, State.partially_complete)
    return ids


def console_pages(site: Site, ids: list[str]) -> list[str]:
    pages = ["/admin/requests", "/admin/requests?state=all", "/admin/staff", "/admin/password"]
    for request_id in ids:
        pages += [f"/admin/requests/{request_id}", f"/admin/requests/{request_id}/tasks"]
    return pages


def engine_words(site: Site) -> set[str]:
    project = load_project(site.app.state.workflow.project_dir)
    words = set(project.datamap.tables) | set(project.datamap.connections)
    words |= {s.value for s in State}
    words |= {
        "staff:",
        "transition",
        "code_sent",
        "email_verified",
        "executed",
        "approved",
        "delete",
        "keep",
        "mask",
        "legal hold",
        "null",
        "None",
        "true",
        "false",
        "erasure",
        "rectification",
        "found",
    }
    return words


def test_the_japanese_console_shows_no_raw_json_and_no_engine_words(
    site: Site, requests_in_every_state: list[str]
) -> None:
    admin = sign_in(site, "admin", **{"accept-language": "ja"})
    words = engine_words(site)
    for path in console_pages(site, requests_in_every_state):
        response = admin.get(path)
        assert response.status_code == 200, path
        text = visible_text(response.text)
        assert not RAW_JSON.search(text), (path, RAW_JSON.search(text))
        found = sorted(
            w for w in words if re.search(rf"(?<![\w.@-]){re.escape(w)}(?![\w@-])", text)
        )
        assert not found, (path, found)
    erased = admin.get(f"/admin/requests/{requests_in_every_state[0]}").text
    summary = re.search(r'<p class="outcome-summary"><strong>(.*?)</strong>', erased).group(1)
    assert re.fullmatch(
        r"削除 \d+件(・マスキング \d+件)?(・法定保存 \d+件（取引履歴、\d{4}年\d{1,2}月\d{1,2}日まで）)?",
        summary,
    ), summary
    assert "取引履歴" in erased and "アカウント情報" in erased
    assert "<details" in erased and "legal hold" in erased  # the engine's words, for engineers
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d（JST）", erased)
    preview = admin.get(f"/admin/requests/{requests_in_every_state[2]}").text
    assert "保存（取引履歴）" in preview and "削除" in preview
    nobody = admin.get(f"/admin/requests/{requests_in_every_state[3]}").text
    assert "該当するデータは見つかりませんでした" in nobody and "no one" not in nobody


def test_the_english_console_has_no_japanese_labels(
    site: Site, requests_in_every_state: list[str]
) -> None:
    admin = sign_in(site, "admin", **{"accept-language": "en"})
    for path in console_pages(site, requests_in_every_state):
        response = admin.get(path)
        assert response.status_code == 200, path
        text = visible_text(response.text)
        assert not JAPANESE.search(text), (path, JAPANESE.findall(text)[:20], text[:3000])
        assert not RAW_JSON.search(text), path
    erased = admin.get(f"/admin/requests/{requests_in_every_state[0]}").text
    assert "deleted" in erased and "Transaction history" in erased


def test_the_audit_trail_reads_as_words(site: Site, requests_in_every_state: list[str]) -> None:
    admin = sign_in(site, "admin", **{"accept-language": "ja"})
    page = admin.get(f"/admin/requests/{requests_in_every_state[0]}").text
    audit = page[page.index('class="audit"') :]
    assert "確認コードを送信" in audit and "状況の変更" in audit and "審査待ち → 実行中" in audit
    assert ">handler<" in audit and "ご本人" in audit
    assert form_fields(page)["csrf"]
