"""The admin console over HTTP: hardened sessions, rate-limited sign-in, roles on every page and
action, the queue by deadline with SLA levels and filters, the request detail with the plan
preview, decisions, fees, extensions, execution, downloads, staff management and passwords.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from store.kit import with_right
from web_kit import STAFF_PASSWORD, Site, form_fields, sign_in, submit

from policykeeper.web import admin
from policykeeper.workflow.service import NewRequest

HANDLER_ONLY = ("decision", "extend", "fee", "identity", "execute", "download", "documents")


def verified(site: Site, client: TestClient, kind: str, email: str) -> str:
    """A request made and confirmed through the pages; its id."""
    token, fields = submit(client, kind, email)
    code = site.mail.code(email)
    response = client.post(f"/status/{token}/verify", data={"csrf": fields["csrf"], "code": code})
    assert response.status_code == 303
    return token.split(".")[0]


def console_csrf(client: TestClient) -> str:
    return form_fields(client.get("/admin/password").text)["csrf"]


def test_session_cookie_is_httponly_samesite_and_secure_over_https(site: Site) -> None:
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        client = TestClient(site.app, base_url=base, follow_redirects=False)
        fields = form_fields(client.get("/admin/login").text)
        response = client.post(
            "/admin/login", data={**fields, "username": "viewer", "password": STAFF_PASSWORD}
        )
        cookie = next(c for c in response.headers.get_list("set-cookie") if "pk_console=" in c)
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/admin" in cookie
        assert ("Secure" in cookie) is secure
    home = client.get("/admin/login")
    assert "strict-transport-security" in home.headers


def test_sign_in_out_and_the_login_rate_limit(site: Site) -> None:
    client = sign_in(site, "viewer")
    assert client.get("/admin/requests").status_code == 200
    session = next(c.value for c in client.cookies.jar if c.name == "pk_console")
    replayed = site.client(cookie=f"pk_console={session}")
    assert replayed.get("/admin/requests").status_code == 200
    out = client.post("/admin/logout", data={"csrf": console_csrf(client)})
    assert out.status_code == 303 and out.headers["location"] == "/admin/login?out=1"
    assert replayed.get("/admin/requests").status_code == 303

    site.app.state.staff.create("limited", STAFF_PASSWORD, "viewer")
    attacker = site.client()
    fields = form_fields(attacker.get("/admin/login").text)
    failures = [
        attacker.post("/admin/login", data={**fields, "username": "limited", "password": "nope"})
        for _ in range(10)
    ]
    assert {r.status_code for r in failures} == {401}
    assert (
        "Wrong username or password" in failures[0].text or "正しくありません" in failures[0].text
    )
    blocked = attacker.post(
        "/admin/login", data={**fields, "username": "limited", "password": STAFF_PASSWORD}
    )
    assert blocked.status_code == 429
    site.clock.advance(hours=2)


def _routes() -> list[tuple[str, str]]:
    found = []
    for route in admin.router.routes:
        assert isinstance(route, APIRoute)
        for method in route.methods:
            found.append((method, route.path))
    return found


def _concrete(path: str, request_id: str) -> str:
    return (
        path.replace("{request_id}", request_id)
        .replace("{staff_id}", "1")
        .replace("{upload_id}", "x")
    )


def test_every_console_route_refuses_anonymous_and_lower_roles(site: Site) -> None:
    request_id = verified(site, site.client(), "access", "roles@example.jp")
    anonymous = site.client()
    viewer = sign_in(site, "viewer")
    handler = sign_in(site, "handler")
    checked = 0
    for method, path in _routes():
        if path in ("/admin/login", "/admin", "/admin/reset", "/admin/link/{token}"):
            continue  # the ways in: signing in, and setting a password from an emailed link
        url = _concrete(path, request_id)
        response = anonymous.request(method, url, data={"outcome": "approve"})
        assert response.status_code == (303 if method == "GET" else 401), (method, path)
        if method == "GET":
            assert response.headers["location"].startswith("/admin/login?next=")
        tail = path.rsplit("/", 1)[-1]
        needs = "admin" if "/staff" in path else "handler" if tail in HANDLER_ONLY else ""
        if path.endswith("/documents/{upload_id}"):
            needs = "handler"
        if needs:
            data = {"outcome": "approve", "csrf": console_csrf(viewer)}
            assert viewer.request(method, url, data=data).status_code == 403, (method, path)
            checked += 1
        if needs == "admin":
            data = {"csrf": console_csrf(handler), "role": "viewer"}
            assert handler.request(method, url, data=data).status_code == 403, (method, path)
    assert checked >= 9


def test_actions_need_the_csrf_token(site: Site) -> None:
    request_id = verified(site, site.client(), "access", "csrf@example.jp")
    handler = sign_in(site, "handler")
    response = handler.post(f"/admin/requests/{request_id}/decision", data={"outcome": "approve"})
    assert response.status_code == 403 and "<h1>" in response.text
    assert site.app.state.workflow.get(request_id).state == "in_review"


def test_queue_is_sorted_by_deadline_with_sla_levels_counts_and_filters(site: Site) -> None:
    flow = site.app.state.workflow
    start = site.clock.now
    ids = []
    for days, kind in ((0, "erasure"), (3, "access"), (10, "portability")):
        site.clock.now = start + timedelta(days=days)
        submitted = flow.submit(
            NewRequest(kind=kind, email=f"q{days}@example.jp"), f"10.0.0.{days}"
        )
        code = site.mail.code(f"q{days}@example.jp")
        flow.verify_code(submitted.status_token, code, f"10.0.0.{days}")
        ids.append(submitted.request_id)
    site.clock.now = start + timedelta(days=15)
    try:
        client = sign_in(site, "viewer", **{"accept-language": "en"})
        html = client.get("/admin/requests").text
        rows = re.findall(r'<tr class="row-(\w+)">.*?/admin/requests/(\w+)"', html, re.S)
        mine = [(level, rid) for level, rid in rows if rid in ids]
        assert mine == [("overdue", ids[0]), ("soon", ids[1]), ("on_time", ids[2])]
        dues = [flow.get(rid).due_at for _level, rid in rows]
        assert dues == sorted(dues)
        assert re.search(r'<span class="count">\d+</span> Overdue', html)
        only_access = client.get("/admin/requests?right=access").text
        assert ids[1] in only_access and ids[0] not in only_access
        verifying = client.get("/admin/requests?state=in_review&jurisdiction=appi").text
        assert all(rid in verifying for rid in ids)
        assert ids[0] not in client.get("/admin/requests?state=completed").text
        assert ids[0] not in client.get("/admin/requests?jurisdiction=gdpr").text
    finally:
        site.clock.now = start


def test_detail_shows_identity_plan_and_audit_but_no_personal_data(site: Site) -> None:
    engine = sa.create_engine(site.service_url)
    with engine.connect() as connection:
        email, name = connection.execute(
            sa.text("SELECT email, display_name FROM users ORDER BY id LIMIT 1 OFFSET 3")
        ).one()
    engine.dispose()
    request_id = verified(site, site.client(), "erasure", email)
    viewer = sign_in(site, "viewer", **{"accept-language": "en"})
    html = viewer.get(f"/admin/requests/{request_id}").text
    assert email in html and "Email confirmed" in html
    assert re.search(r'<th scope="row">Account information</th><td class="num">1</td>', html)
    assert "rows in total" in html and name not in html
    assert "Email address confirmed" in html and "staff:" not in html
    assert "Check what will happen, then approve" not in html
    handler = sign_in(site, "handler", **{"accept-language": "en"})
    assert (
        "Check what will happen, then approve" in handler.get(f"/admin/requests/{request_id}").text
    )
    assert viewer.get("/admin/requests/nope").status_code == 404


def test_approve_execute_and_download_from_the_console(site: Site) -> None:
    engine = sa.create_engine(site.service_url)
    with engine.connect() as connection:
        email = connection.execute(
            sa.text("SELECT email FROM users ORDER BY id LIMIT 1 OFFSET 4")
        ).scalar_one()
    engine.dispose()
    request_id = verified(site, site.client(), "access", email)
    handler = sign_in(site, "handler")
    token = console_csrf(handler)
    approved = handler.post(
        f"/admin/requests/{request_id}/decision", data={"csrf": token, "outcome": "approve"}
    )
    assert approved.status_code == 303
    assert site.app.state.workflow.get(request_id).state == "executing"
    executed = handler.post(f"/admin/requests/{request_id}/execute", data={"csrf": token})
    assert executed.status_code == 303
    assert site.app.state.workflow.get(request_id).state == "completed"
    link = handler.get(f"/admin/requests/{request_id}/download")
    assert link.status_code == 303 and link.headers["location"].startswith("/download/")
    assert handler.get(link.headers["location"]).content[:2] == b"PK"
    # Pressed again once done: back to the request with a notice, not an error.
    again = handler.post(f"/admin/requests/{request_id}/execute", data={"csrf": token})
    assert again.status_code == 303 and again.headers["location"].endswith("?taken=1")
    notice = handler.get(again.headers["location"])
    assert notice.status_code == 200 and 'class="alert success"' in notice.text


def test_deny_needs_a_declared_ground(site: Site) -> None:
    request_id = verified(site, site.client(), "restriction", "deny@example.jp")
    handler = sign_in(site, "handler", **{"accept-language": "en"})
    assert "declares no ground" in handler.get(f"/admin/requests/{request_id}").text
    response = handler.post(
        f"/admin/requests/{request_id}/decision",
        data={"csrf": console_csrf(handler), "outcome": "deny", "ground": "made_up"},
    )
    assert response.status_code == 422 and "<h1>" in response.text


def test_fee_and_extension(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    flow = site.app.state.workflow
    policy = with_right(
        flow.policy, "access", fee={"kind": "fixed", "amount": 1000, "currency": "JPY"}
    )
    policy = with_right(policy, "erasure", deadline={"period": "2 weeks", "extension": "1 month"})
    monkeypatch.setattr(flow, "policy", policy)
    person = site.client(**{"accept-language": "ja"})
    fee_id = verified(site, person, "access", "fee@example.jp")
    assert flow.get(fee_id).state == "awaiting_fee"
    handler = sign_in(site, "handler", **{"accept-language": "ja"})
    assert "手数料の記録" in handler.get(f"/admin/requests/{fee_id}").text
    token = console_csrf(handler)
    wrong = handler.post(f"/admin/requests/{fee_id}/fee", data={"csrf": token, "amount": "5"})
    assert wrong.status_code == 422
    paid = handler.post(f"/admin/requests/{fee_id}/fee", data={"csrf": token, "amount": "1000"})
    assert paid.status_code == 303 and flow.get(fee_id).state == "in_review"

    extend_id = verified(site, person, "erasure", "extend@example.jp")
    before = flow.get(extend_id).due_at
    assert "回答期限の延長" in handler.get(f"/admin/requests/{extend_id}").text
    no_reason = handler.post(
        f"/admin/requests/{extend_id}/extend",
        data={"csrf": token, "amount": "1", "unit": "week", "reason": ""},
    )
    assert no_reason.status_code == 422
    extended = handler.post(
        f"/admin/requests/{extend_id}/extend",
        data={"csrf": token, "amount": "1", "unit": "week", "reason": "調査に時間を要するため"},
    )
    assert extended.status_code == 303 and flow.get(extend_id).due_at > before
    status = person.get(f"/status/{flow.secrets.status_token(extend_id)}").text
    assert "調査に時間を要するため" in status


def test_staff_management_and_password_change(site: Site) -> None:
    boss = sign_in(site, "admin", **{"accept-language": "en"})
    token = console_csrf(boss)
    first = "newbie-password-1"
    added = boss.post(
        "/admin/staff",
        data={"csrf": token, "username": "newbie", "password": first, "role": "handler"},
    )
    assert added.status_code == 303 and "newbie" in boss.get("/admin/staff").text
    short = boss.post(
        "/admin/staff", data={"csrf": token, "username": "x", "password": "short", "role": "viewer"}
    )
    assert short.status_code == 422
    members = {a.username: a for a in site.app.state.staff.accounts()}
    own = boss.post(
        f"/admin/staff/{members['admin'].id}", data={"csrf": token, "role": "viewer", "active": "1"}
    )
    assert own.status_code == 409

    session = sign_in(site, "newbie", first)
    elsewhere = sign_in(site, "newbie", first)
    csrf = console_csrf(session)

    def change(current: str, new: str, confirm: str) -> int:
        data = {"csrf": csrf, "current": current, "new": new, "confirm": confirm}
        return session.post("/admin/password", data=data).status_code

    assert change(first, "a" * 12, "b" * 12) == 422
    assert change("not-the-password", "c" * 12, "c" * 12) == 422
    assert change(first, "d" * 12, "d" * 12) == 200
    assert session.get("/admin/requests").status_code == 200
    assert elsewhere.get("/admin/requests").status_code == 303
    assert sign_in(site, "newbie", "d" * 12).get("/admin/requests").status_code == 200

    demoted = boss.post(
        f"/admin/staff/{members['newbie'].id}",
        data={"csrf": token, "role": "viewer", "active": "1"},
    )
    assert demoted.status_code == 303
    assert session.get("/admin/staff").status_code == 403
    deactivated = boss.post(
        f"/admin/staff/{members['newbie'].id}", data={"csrf": token, "role": "viewer"}
    )
    assert deactivated.status_code == 303
    assert session.get("/admin/requests").status_code == 303
    stranger = site.client()
    fields = form_fields(stranger.get("/admin/login").text)
    refused = stranger.post(
        "/admin/login", data={**fields, "username": "newbie", "password": "d" * 12}
    )
    assert refused.status_code == 401
