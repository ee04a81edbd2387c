"""Staff accounts: an invitation by email with a one-time, expiring link to set a password; a
password an admin chose must be changed at first sign-in; a reset by email that tells no one
who has an account; role names that stay distinct in Japanese."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from web_kit import STAFF_PASSWORD, Site, form_fields, sign_in

NEW_PASSWORD = "a-password-of-my-own"


def link_in(site: Site, to: str) -> str:
    body = next(b for t, _s, b in reversed(site.mail.messages) if t == to)
    found = re.search(r"http://testserver(/admin/link/[A-Za-z0-9_\-]+)", body)
    assert found, body
    return found.group(1)


def set_password(client: TestClient, path: str, password: str, confirm: str | None = None):  # type: ignore[no-untyped-def]
    fields = form_fields(client.get(path).text)
    return client.post(path, data={**fields, "new": password, "confirm": confirm or password})


def test_an_invitation_lets_the_new_member_set_a_password_once(site: Site) -> None:
    boss = sign_in(site, "admin", **{"accept-language": "ja"})
    page = boss.get("/admin/staff").text
    invited = boss.post(
        "/admin/staff/invite",
        data={
            **form_fields(page),
            "username": "invitee",
            "email": "invitee@example.jp",
            "role": "handler",
        },
    )
    assert (
        invited.status_code == 303
        and "招待メールを送りました" in boss.get(invited.headers["location"]).text
    )
    subject = next(s for t, s, _b in reversed(site.mail.messages) if t == "invitee@example.jp")
    assert subject == "【AInema】管理画面へのご招待"
    path = link_in(site, "invitee@example.jp")
    newcomer = site.client(**{"accept-language": "ja"})
    # No password works before the link is used.
    fields = form_fields(newcomer.get("/admin/login").text)
    refused = newcomer.post("/admin/login", data={**fields, "username": "invitee", "password": ""})
    assert refused.status_code == 401
    assert "パスワードの設定" in newcomer.get(path).text
    assert set_password(newcomer, path, NEW_PASSWORD, "something-else-entirely").status_code == 422
    assert set_password(newcomer, path, "short").status_code == 422
    done = set_password(newcomer, path, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/admin/login?set=1"
    member = sign_in(site, "invitee", NEW_PASSWORD)
    assert member.get("/admin/requests").status_code == 200
    # The link works once.
    assert newcomer.get(path).status_code == 410
    assert set_password(newcomer, path, "another-long-password").status_code in (403, 410)
    # A second invitation for the same address is refused in words.
    again = boss.post(
        "/admin/staff/invite",
        data={
            **form_fields(page),
            "username": "other",
            "email": "invitee@example.jp",
            "role": "viewer",
        },
    )
    assert again.status_code == 409 and "すでに使われています" in again.text


def test_an_invitation_link_expires(site: Site) -> None:
    boss = sign_in(site, "admin", **{"accept-language": "en"})
    fields = form_fields(boss.get("/admin/staff").text)
    boss.post(
        "/admin/staff/invite",
        data={**fields, "username": "late", "email": "late@example.jp", "role": "viewer"},
    )
    path = link_in(site, "late@example.jp")
    start = site.clock.now
    site.clock.advance(days=4)
    try:
        expired = site.client(**{"accept-language": "en"}).get(path)
        assert expired.status_code == 410 and "has expired" in expired.text
    finally:
        site.clock.now = start


def test_a_password_an_admin_chose_must_be_changed_first(site: Site) -> None:
    boss = sign_in(site, "admin", **{"accept-language": "en"})
    fields = form_fields(boss.get("/admin/staff").text)
    boss.post(
        "/admin/staff",
        data={**fields, "username": "forced", "password": STAFF_PASSWORD, "role": "handler"},
    )
    member = sign_in(site, "forced", **{"accept-language": "en"})
    queue = member.get("/admin/requests")
    assert queue.status_code == 303 and queue.headers["location"] == "/admin/password?must=1"
    assert "an administrator chose" in member.get("/admin/password?must=1").text
    csrf = form_fields(member.get("/admin/password").text)["csrf"]
    blocked = member.post("/admin/requests/x/decision", data={"csrf": csrf, "outcome": "approve"})
    assert blocked.status_code == 403
    changed = member.post(
        "/admin/password",
        data={
            "csrf": csrf,
            "current": STAFF_PASSWORD,
            "new": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 200
    assert member.get("/admin/requests").status_code == 200


def test_a_reset_by_email_tells_no_one_who_has_an_account(site: Site) -> None:
    boss = sign_in(site, "admin", **{"accept-language": "ja"})
    fields = form_fields(boss.get("/admin/staff").text)
    boss.post(
        "/admin/staff/invite",
        data={**fields, "username": "forgetful", "email": "forgetful@example.jp", "role": "viewer"},
    )
    set_password(site.client(), link_in(site, "forgetful@example.jp"), NEW_PASSWORD)
    member = sign_in(site, "forgetful", NEW_PASSWORD)
    visitor = site.client(**{"accept-language": "ja"}, **{"x-forwarded-for": "10.7.7.7"})
    page = visitor.get("/admin/reset").text
    sent_before = len(site.mail.messages)
    unknown = visitor.post("/admin/reset", data={**form_fields(page), "who": "nobody-here"})
    known = visitor.post("/admin/reset", data={**form_fields(page), "who": "forgetful@example.jp"})
    assert unknown.status_code == known.status_code == 200
    strip = lambda html: re.sub(r'name="csrf" value="[^"]*"', "", html)  # noqa: E731
    assert strip(unknown.text) == strip(known.text)
    assert len(site.mail.messages) == sent_before + 1
    path = link_in(site, "forgetful@example.jp")
    assert "パスワードの再設定" in visitor.get(path).text
    assert set_password(visitor, path, "the-newest-password").status_code == 303
    # The reset ends every session, and the old password no longer works.
    assert member.get("/admin/requests").status_code == 303
    sign_in(site, "forgetful", "the-newest-password")
    for _ in range(6):
        last = visitor.post("/admin/reset", data={**form_fields(page), "who": "nobody"})
    assert last.status_code == 429


def test_role_names_are_distinct_in_japanese(site: Site) -> None:
    boss = sign_in(site, "admin", **{"accept-language": "ja"})
    page = boss.get("/admin/staff").text
    assert "<h1>スタッフの管理</h1>" in page and "担当者の管理" not in page
    roles = re.findall(r'<option value="(\w+)">([^<]+)</option>', page)
    labels = dict(roles)
    assert labels == {"viewer": "閲覧者", "handler": "担当者", "admin": "管理者"}


def test_an_optional_second_factor_with_codes_that_work_once(site: Site) -> None:
    import pyotp

    site.app.state.staff.create("careful", STAFF_PASSWORD, "viewer")
    member = sign_in(site, "careful", **{"accept-language": "en"})
    page = member.get("/admin/totp").text
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert "otpauth://totp/" in page
    csrf = form_fields(page)["csrf"]
    wrong = member.post("/admin/totp", data={"csrf": csrf, "code": "000000"})
    assert wrong.status_code == 422 and "not right" in wrong.text
    code = pyotp.TOTP(secret).at(site.clock.now)
    assert "is on" in member.post("/admin/totp", data={"csrf": csrf, "code": code}).text

    def attempt(code: str):  # type: ignore[no-untyped-def]
        client = site.client(**{"accept-language": "en"})
        fields = form_fields(client.get("/admin/login").text)
        data = {**fields, "username": "careful", "password": STAFF_PASSWORD, "code": code}
        return client, client.post("/admin/login", data=data)

    _client, without = attempt("")
    assert without.status_code == 401 and "Wrong username, password or code" in without.text
    assert "pk_console" not in without.headers.get("set-cookie", "")
    # The code that turned the factor on was used once already; the next one works once.
    _client, replayed = attempt(code)
    assert replayed.status_code == 401
    site.clock.advance(seconds=30)
    fresh = pyotp.TOTP(secret).at(site.clock.now)
    client, signed = attempt(fresh)
    assert signed.status_code == 303 and client.get("/admin/requests").status_code == 200
    _client, again = attempt(fresh)
    assert again.status_code == 401
