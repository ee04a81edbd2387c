"""The console's intake pages refuse what they must: viewers may read but not record, every
form needs its CSRF token, and an unknown request is a friendly 404, never a traceback."""

from __future__ import annotations

from web_kit import Site, form_fields, sign_in


def test_viewers_read_handlers_record_and_forms_need_the_token(site: Site) -> None:
    viewer = sign_in(site, "viewer")
    assert viewer.get("/admin/intake").status_code == 200
    assert viewer.get("/admin/intake/new").status_code == 403
    handler = sign_in(site, "handler")
    form = handler.get("/admin/intake/new")
    assert "書面等による請求の受付" in form.text or "Record a request" in form.text
    fields = {
        "kind": "access",
        "channel": "phone",
        "received_on": "2020-01-01",
        "name": "電話 太郎",
        "email": "phone@example.jp",
        "reply_by": "export",
    }
    assert handler.post("/admin/intake", data=fields).status_code == 403  # no CSRF token
    token = form_fields(form.text)["csrf"]
    forged = viewer.post("/admin/intake", data={**fields, "csrf": token})
    assert forged.status_code in (403, 401)
    recorded = handler.post("/admin/intake", data={**fields, "csrf": token})
    assert recorded.status_code == 303, recorded.text
    page = handler.get(recorded.headers["location"], params={"lang": "ja"})
    assert "電話" in page.text and "電話 太郎" in page.text
    assert "phone@example.jp" in page.text
    listing = handler.get("/admin/intake", params={"lang": "ja"}).text
    assert "電話 太郎" in listing
    missing = handler.get("/admin/intake/" + "0" * 32)
    assert missing.status_code == 404 and "Traceback" not in missing.text
    bad = handler.post(
        "/admin/intake",
        data={**fields, "csrf": token, "received_on": "2999-01-01", "name": "未来 花子"},
        headers={"accept-language": "ja"},
    )
    assert bad.status_code == 422
    assert "未来の日付は入力できません" in bad.text
    assert 'value="未来 花子"' in bad.text  # what was typed is kept
    letter = handler.post(
        "/admin/intake",
        data={**fields, "csrf": token, "reply_by": "letter"},
        headers={"accept-language": "ja"},
    )
    assert letter.status_code == 422 and "郵便番号及び住所を入力してください" in letter.text
