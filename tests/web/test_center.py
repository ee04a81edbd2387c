"""The privacy center over HTTP: languages, forms for each declared right, verification by code
and link, the status page, downloads, and a friendly page with the right status for bad input.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from store.kit import drain, quick_settings
from web_kit import Sent, Site, form_fields, submit

from policykeeper.web.i18n import accepted_languages

WEB = Path(__file__).resolve().parents[2] / "src" / "policykeeper" / "web"


def address(name: str) -> str:
    """A fresh address for each test, so per-address limits in the shared app do not meet."""
    return f"{name}@example.jp"


def no_traceback(html: str) -> None:
    assert "Traceback" not in html and 'File "' not in html


def test_home_follows_accept_language_and_the_visible_switch(site: Site) -> None:
    japanese = site.client(**{"accept-language": "ja,en;q=0.5"}).get("/")
    assert '<html lang="ja">' in japanese.text and "プライバシーセンター" in japanese.text
    english = site.client(**{"accept-language": "en-US,en;q=0.9,ja;q=0.3"}).get("/")
    assert '<html lang="en">' in english.text and "Privacy Center" in english.text
    client = site.client(**{"accept-language": "ja"})
    switched = client.get("/?lang=en")
    assert "Privacy Center" in switched.text and "pk_lang=en" in switched.headers["set-cookie"]
    assert '<html lang="en">' in client.get("/policy").text
    assert 'href="?lang=ja"' in client.get("/policy").text  # same page, other language


def test_accept_language_quality_order() -> None:
    assert accepted_languages("fr;q=0.9, en;q=0.5, ja") == ["ja", "fr", "en"]
    assert accepted_languages("ja;q=0, en") == ["en"]
    assert accepted_languages("") == []


def test_policy_page_has_version_and_history_in_both_languages(site: Site) -> None:
    for lang, history in (("ja", "制定・改定履歴"), ("en", "Revision history")):
        html = site.client().get(f"/policy?lang={lang}").text
        assert "2026" in html and history in html


def test_each_declared_right_has_a_form_with_its_terms(site: Site) -> None:
    client = site.client(**{"accept-language": "ja"})
    for kind in ("access", "portability", "rectification", "erasure", "restriction"):
        html = client.get(f"/requests/{kind}").text
        assert "合理的な期間内に回答します" in html, kind
        stated = kind in ("access", "rectification")  # AInema's 6.1 names only these
        assert ("原則として2週間以内" in html) is stated, kind
        assert ("ご登録のメールアドレスの確認" in html) is stated, kind
        assert ("無料" in html) is (kind == "access"), kind
        assert 'name="form_id"' in html and 'name="csrf"' in html
    erasure = client.get("/requests/erasure").text
    assert "取引履歴" in erasure and "7年" in erasure
    assert client.get("/requests/objection").status_code == 404
    assert client.get("/requests/no-such-right").status_code == 404


def test_deletion_request_verified_by_code(site: Site) -> None:
    client = site.client(**{"accept-language": "ja"})
    email = address("code")
    token, fields = submit(client, "erasure", email)
    page = client.get(f"/status/{token}?sent=1")
    assert "確認コードをお送りしました" in page.text and 'data-state="verifying"' in page.text
    code = site.mail.code(email)
    wrong = client.post(f"/status/{token}/verify", data={"csrf": fields["csrf"], "code": "000000"})
    assert wrong.status_code == 422 and "確認コードが正しくありません" in wrong.text
    right = client.post(f"/status/{token}/verify", data={"csrf": fields["csrf"], "code": code})
    assert right.status_code == 303
    page = client.get(right.headers["location"])
    assert 'data-state="in_review"' in page.text and "本人確認が完了しました" in page.text
    reused = client.post(f"/status/{token}/verify", data={"csrf": fields["csrf"], "code": code})
    assert reused.status_code == 409
    no_traceback(reused.text)


def test_double_submitted_form_creates_one_request(site: Site) -> None:
    client = site.client()
    before = len(site.app.state.workflow.list_requests(limit=5000))
    fields = form_fields(client.get("/requests/access").text)
    data = {**fields, "email": address("twice")}
    first = client.post("/requests/access", data=data)
    second = client.post("/requests/access", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"].split("?")[0] == second.headers["location"].split("?")[0]
    assert "?" not in second.headers["location"]  # the banner is not in the URL
    assert "pk_flash=duplicate" in second.headers["set-cookie"]
    assert len(site.app.state.workflow.list_requests(limit=5000)) == before + 1
    other = client.post("/requests/access", data={**data, "email": address("thief")})
    assert other.status_code == 409


def test_link_verification_needs_a_button_and_works_once(site: Site) -> None:
    client = site.client(**{"accept-language": "en"})
    email = address("link")
    token, fields = submit(client, "access", email)
    link = site.mail.link(email)
    redirected = client.get(f"/api/verify/{link}", headers={"accept": "text/html"})
    assert redirected.status_code == 303 and redirected.headers["location"] == f"/verify/{link}"
    page = client.get(f"/verify/{link}")
    assert page.status_code == 200 and "data-state" not in page.text
    confirmed = client.post(f"/verify/{link}", data={"csrf": fields["csrf"]})
    assert confirmed.status_code == 303 and token in confirmed.headers["location"]
    again = client.post(f"/verify/{link}", data={"csrf": fields["csrf"]})
    assert again.status_code == 410 and "expired or was already used" in again.text
    tampered = client.post(f"/verify/{link[:-3]}xyz", data={"csrf": fields["csrf"]})
    assert tampered.status_code == 404
    no_traceback(tampered.text)


def test_expired_code_and_rate_limits(site: Site) -> None:
    client = site.client(**{"accept-language": "en"})
    email = address("slow")
    token, fields = submit(client, "restriction", email)
    code = site.mail.code(email)
    site.clock.advance(minutes=16)
    expired = client.post(f"/status/{token}/verify", data={"csrf": fields["csrf"], "code": code})
    assert expired.status_code == 410 and "expired" in expired.text
    statuses = [
        client.post(f"/status/{token}/code", data={"csrf": fields["csrf"]}).status_code
        for _ in range(6)
    ]
    assert statuses[0] == 303 and statuses[-1] == 429
    limited = client.post(f"/status/{token}/code", data={"csrf": fields["csrf"]})
    assert "Please wait a moment" in limited.text
    site.clock.advance(hours=2)


def test_guessed_and_tampered_status_links_are_not_found(site: Site) -> None:
    client = site.client(**{"accept-language": "ja"})
    token, _fields = submit(client, "portability", address("guess"))
    for path in (f"/status/{'0' * 32}.{'f' * 64}", f"/status/{token[:-2]}00", "/status/x"):
        response = client.get(path)
        assert response.status_code == 404 and "ページが見つかりません" in response.text
    assert client.get("/no/such/page").status_code == 404


def test_bad_input_gets_a_friendly_page_with_the_right_status(site: Site) -> None:
    client = site.client(**{"accept-language": "en"})
    fields = form_fields(client.get("/requests/erasure").text)
    cases = {
        "no csrf": (client.post("/requests/erasure", data={"email": "a@b.jp"}), 403),
        "forged csrf": (
            client.post("/requests/erasure", data={**fields, "csrf": "x" * 64, "email": "a@b.jp"}),
            403,
        ),
        "json": (client.post("/requests/erasure", json={**fields, "email": "a@b.jp"}), 415),
        "bad form id": (
            client.post("/requests/erasure", data={**fields, "form_id": "../x", "email": "a@b.jp"}),
            400,
        ),
        "bad email": (
            client.post("/requests/erasure", data={**fields, "email": "not-an-address"}),
            422,
        ),
        "oversized": (
            client.post(
                "/requests/erasure", data={**fields, "email": "a@b.jp", "pad": "x" * 70_000}
            ),
            413,
        ),
        "wrong method": (client.put("/requests/erasure"), 405),
        "malformed multipart": (
            client.post(
                "/requests/erasure",
                content=b"--x\r\nContent-Disposition: form-data\r\n\r\nbroken",
                headers={"content-type": "multipart/form-data; boundary=x"},
            ),
            400,
        ),
    }
    for name, (response, status) in cases.items():
        assert response.status_code == status, name
        assert response.headers["content-type"].startswith("text/html"), name
        assert "<h1>" in response.text, name
        no_traceback(response.text)
    kept = cases["bad email"][0].text
    assert 'value="not-an-address"' in kept and "valid email address" in kept


def test_rectification_and_upload_limits(site: Site) -> None:
    client = site.client(**{"accept-language": "ja"})
    fields = form_fields(client.get("/requests/rectification").text)
    missing = client.post("/requests/rectification", data={**fields, "email": "r@b.jp"})
    assert missing.status_code == 422 and "訂正する項目と正しい内容" in missing.text
    unknown = client.post(
        "/requests/rectification",
        data={**fields, "email": "r@b.jp", "field": "users.password_hash", "value": "x"},
    )
    assert unknown.status_code == 422
    token, fields = submit(
        client, "rectification", "r@b.jp", field="users.display_name", value="新しい名前"
    )
    upload = client.post(
        f"/status/{token}/documents",
        data={"csrf": fields["csrf"], "purpose": "id_document"},
        files={"file": ("id.png", b"\x89PNG" + b"0" * 100, "image/png")},
    )
    assert upload.status_code == 409 and "この操作は行えません" in upload.text


def test_completed_access_request_downloads_by_an_expiring_link(site: Site) -> None:
    client = site.client(**{"accept-language": "en"})
    flow = site.app.state.workflow
    import sqlalchemy as sa

    engine = sa.create_engine(site.service_url)
    with engine.connect() as connection:
        email = connection.execute(sa.text("SELECT email FROM users LIMIT 1")).scalar_one()
    engine.dispose()
    token, fields = submit(client, "access", email)
    client.post(
        f"/status/{token}/verify", data={"csrf": fields["csrf"], "code": site.mail.code(email)}
    )
    request_id = token.split(".")[0]
    flow.decide(request_id, "staff:test", approve=True)
    drain(flow)
    page = client.get(f"/status/{token}")
    assert 'data-state="completed"' in page.text and "Completed" in page.text
    link = re.search(r'href="(/download/[^"]+)"', page.text)
    assert link
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert download.headers["cache-control"] == "no-store"
    tampered = client.get(link.group(1)[:-4] + "0000")
    assert tampered.status_code == 404
    site.clock.advance(days=8)
    expired = client.get(link.group(1))
    assert expired.status_code == 410 and "download link has expired" in expired.text
    site.clock.advance(days=-8)


def test_security_headers_and_private_pages_are_not_cached(site: Site) -> None:
    client = site.client()
    home = client.get("/")
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
    assert home.headers["x-frame-options"] == "DENY"
    assert home.headers["referrer-policy"] == "no-referrer"
    assert home.headers["x-content-type-options"] == "nosniff"
    token, _ = submit(client, "access", address("headers"))
    status = client.get(f"/status/{token}")
    assert status.headers["cache-control"] == "no-store"
    assert '<meta name="robots" content="noindex">' in status.text
    api = client.get(f"/api/status/{token}", headers={"accept": "application/json"})
    assert api.status_code == 200 and api.json()["state"] == "verifying"


def test_a_crash_shows_a_friendly_page(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    def broken(_token: str) -> None:
        raise RuntimeError("boom")

    token, _ = submit(site.client(), "access", address("crash"))
    monkeypatch.setattr(site.app.state.workflow, "status", broken)
    client = TestClient(site.app, raise_server_exceptions=False)
    response = client.get(f"/status/{token}", headers={"accept-language": "en"})
    assert response.status_code == 500 and "Something went wrong" in response.text
    no_traceback(response.text)
    assert "boom" not in response.text


def _keys(node: object, prefix: str = "") -> set[str]:
    if isinstance(node, dict):
        return {k for key, value in node.items() for k in _keys(value, f"{prefix}{key}.")}
    return {prefix.rstrip(".")}


def test_catalogues_match_and_cover_every_phrase_the_templates_use() -> None:
    yaml = YAML(typ="safe")
    ja = _keys(yaml.load((WEB / "messages" / "ja.yaml").read_text("utf-8")))
    en = _keys(yaml.load((WEB / "messages" / "en.yaml").read_text("utf-8")))
    assert ja == en
    used = set()
    for template in (WEB / "templates").rglob("*.html"):
        used |= set(
            re.findall(r"""\bt\(["']([a-z_]+\.[a-z_.]+)["']\s*[,)]""", template.read_text())
        )
    for module in WEB.glob("*.py"):
        used |= set(re.findall(r"""\bt\(["']([a-z_]+\.[a-z_.]+)["']\s*[,)]""", module.read_text()))
    assert used - ja == set()


def test_cached_status_page_follows_the_request_and_each_reader_gets_their_own_csrf(
    site: Site,
) -> None:
    person = site.client(**{"accept-language": "en"})
    email = address("cached")
    token, fields = submit(person, "erasure", email)
    assert 'data-state="verifying"' in person.get(f"/status/{token}").text
    other = site.client(**{"accept-language": "en"})
    theirs = form_fields(other.get(f"/status/{token}").text)["csrf"]
    assert theirs != fields["csrf"] and "\x00" not in theirs
    code = site.mail.code(email)
    confirmed = other.post(f"/status/{token}/verify", data={"csrf": theirs, "code": code})
    assert confirmed.status_code == 303
    assert 'data-state="in_review"' in person.get(f"/status/{token}").text


@pytest.mark.parametrize("example", ["allin-studio", "audiostock", "jasminai", "nicori"])
def test_every_example_publishes_its_pages(example: str, tmp_path: Path) -> None:
    """Each seed service's declaration gives a home, a policy and a form per declared right."""
    import shutil

    from fastapi.testclient import TestClient

    from policykeeper.web.app import create_app

    project = tmp_path / example
    source = Path(__file__).resolve().parents[2] / "examples" / example
    shutil.copytree(source, project, ignore=shutil.ignore_patterns(".*", "*.sqlite3"))
    app = create_app(
        project,
        database_url=f"sqlite:///{tmp_path / 'state.sqlite3'}",
        mailer=Sent(),
        secret_key=b"examples-secret-key-0123456789",
        run_worker=False,
    )
    client = TestClient(app)
    rights = app.state.workflow.policy.rights
    for lang in ("ja", "en"):
        home = client.get(f"/?lang={lang}")
        assert home.status_code == 200
        assert client.get(f"/policy?lang={lang}").status_code == 200
        for right in rights:
            form = client.get(f"/requests/{right.kind.value}?lang={lang}")
            if right.kind.value in ("withdraw_consent", "opt_out_sale_sharing"):
                assert form.status_code == 404
            else:
                assert form.status_code == 200 and 'name="email"' in form.text, right.kind
                assert f'href="/requests/{right.kind.value}"' in home.text


@pytest.mark.postgres
def test_status_page_on_a_postgresql_store(postgres_url: str, tmp_path: Path) -> None:
    """The status page's version read runs on a raw connection: check it on PostgreSQL too."""
    from fastapi.testclient import TestClient

    from policykeeper.web.app import create_app

    mail = Sent()
    app = create_app(
        Path(__file__).resolve().parents[2] / "examples" / "ainema",
        database_url=postgres_url,
        mailer=mail,
        secret_key=b"postgres-secret-key-0123456789",
        audit_key=b"postgres-audit-key-0123456789",
        run_worker=False,
    )
    with TestClient(app, follow_redirects=False) as client:
        client.mail = mail  # type: ignore[attr-defined]
        token, fields = submit(client, "erasure", "pg@example.jp")
        assert 'data-state="verifying"' in client.get(f"/status/{token}").text
        code = mail.code("pg@example.jp")
        client.post(f"/status/{token}/verify", data={"csrf": fields["csrf"], "code": code})
        assert 'data-state="in_review"' in client.get(f"/status/{token}").text
        assert client.get(f"/status/{'0' * 32}.{'f' * 64}").status_code == 404


def test_documents_and_agents_where_the_declaration_asks_for_them(tmp_path: Path) -> None:
    """Audiostock checks identity with a document and accepts agents: the form and status page
    offer both, and uploads are bounded."""
    import shutil

    from fastapi.testclient import TestClient

    from policykeeper.web.app import create_app

    project = tmp_path / "audiostock"
    source = Path(__file__).resolve().parents[2] / "examples" / "audiostock"
    shutil.copytree(source, project, ignore=shutil.ignore_patterns(".*", "*.sqlite3"))
    mail = Sent()
    app = create_app(
        project,
        database_url=f"sqlite:///{tmp_path / 'state.sqlite3'}",
        mailer=mail,
        settings=quick_settings(upload_max_bytes=1000),
        secret_key=b"documents-secret-key-0123456789",
        run_worker=False,
    )
    client = TestClient(app, follow_redirects=False, headers={"accept-language": "en"})
    client.mail = mail  # type: ignore[attr-defined]
    fields = form_fields(client.get("/requests/access").text)
    nameless = client.post("/requests/access", data={**fields, "email": "a@b.jp", "agent": "1"})
    assert nameless.status_code == 422 and "agent&#39;s name" in nameless.text
    token, fields = submit(client, "access", "doc@example.jp", agent="1", agent_name="Hanako")
    row = app.state.workflow.get(token.split(".")[0])
    assert row.agent == {"name": "Hanako"} and row.needs_documents
    assert 'id="documents-heading"' in client.get(f"/status/{token}").text

    def send(content: bytes, purpose: str = "id_document") -> int:
        return client.post(
            f"/status/{token}/documents",
            data={"csrf": fields["csrf"], "purpose": purpose},
            files={"file": ("id.png", content, "image/png")},
        ).status_code

    assert send(b"\x89PNG" + b"0" * 500) == 303
    assert send(b"0" * 2000) == 413
    assert send(b"0" * 70_000) == 413
    assert send(b"\x89PNG", purpose="selfie") == 422
    assert "received your document" in client.get(f"/status/{token}?uploaded=1").text
