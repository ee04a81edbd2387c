"""Staff accounts: one limiter for every password check that an attacker cannot turn against
a named user, and tokens that expire, are listed, revoked, and die at once."""

from __future__ import annotations

from collections.abc import Callable

from security_kit import PASSWORD, Served, form_fields

Serve = Callable[..., Served]
ATTACKER, OFFICE = "198.51.100.66", "203.0.113.10"


def console_login(client, username: str, password: str) -> int:
    fields = form_fields(client.get("/admin/login").text)
    response = client.post(
        "/admin/login", data={**fields, "username": username, "password": password}
    )
    return response.status_code


def api_login(client, username: str, password: str) -> int:
    response = client.post("/api/staff/login", json={"username": username, "password": password})
    return response.status_code


def test_guessing_from_one_address_cannot_lock_the_user_out_elsewhere(serve: Serve) -> None:
    site = serve(login_failures=5)
    attacker = site.client(ATTACKER)
    # Console and API count in the same place: 3 + 2 failures reach the limit of 5.
    assert [console_login(attacker, "admin", "guess") for _ in range(3)] == [401] * 3
    assert [api_login(attacker, "admin", "guess") for _ in range(2)] == [401] * 2
    assert console_login(attacker, "admin", "guess") == 429
    assert api_login(attacker, "admin", PASSWORD) == 429  # even the right one, from there
    office = site.client(OFFICE)
    assert console_login(office, "admin", PASSWORD) == 303
    assert api_login(site.client(OFFICE), "admin", PASSWORD) == 200
    # Other users are not affected from the attacker's address either.
    assert api_login(attacker, "viewer", PASSWORD) == 200
    site.clock.advance(hours=2)
    assert api_login(attacker, "admin", PASSWORD) == 200


def test_the_current_password_check_is_limited_too(serve: Serve) -> None:
    site = serve(login_failures=3)
    thief = site.client(ATTACKER, **{"accept-language": "en"})
    assert console_login(thief, "handler", PASSWORD) == 303  # a stolen, signed-in session
    csrf = form_fields(thief.get("/admin/password").text)["csrf"]

    def change(current: str) -> int:
        data = {"csrf": csrf, "current": current, "new": "n" * 14, "confirm": "n" * 14}
        return thief.post("/admin/password", data=data).status_code

    assert [change(f"guess-{n}") for n in range(3)] == [422] * 3
    assert change(PASSWORD) == 429
    assert api_login(site.client(OFFICE), "handler", PASSWORD) == 200  # still theirs


def test_api_tokens_expire_are_listed_and_revoked_at_once(serve: Serve) -> None:
    site = serve()
    http = site.http()
    admin = site.staff("admin")
    made = http.post("/api/staff/tokens", json={"label": "ci", "days": 2}, headers=admin)
    assert made.status_code == 201
    token, token_id = made.json()["token"], made.json()["id"]
    bearer = {"Authorization": f"Bearer {token}"}
    listed = http.get("/api/staff/tokens", headers=bearer).json()
    assert {t["label"] for t in listed} >= {"ci"} and token not in str(listed)
    assert http.get("/api/staff/requests", headers=bearer).status_code == 200
    assert http.post("/api/staff/tokens", json={"days": 4000}, headers=bearer).status_code == 422
    # The consent check remembers verified tokens; a revocation is seen on the next call.
    consent = "/api/consent/allowed?subject=user_id=1&purpose=analytics"
    assert http.get(consent, headers=bearer).status_code == 200
    assert http.delete(f"/api/staff/tokens/{token_id}", headers=admin).status_code == 204
    assert http.get(consent, headers=bearer).status_code == 401
    assert http.get("/api/staff/requests", headers=bearer).status_code == 401
    # Expiry: a default token dies after its lifetime.
    short = http.post("/api/staff/tokens", json={"days": 1}, headers=admin).json()["token"]
    site.clock.advance(days=1, seconds=1)
    expired = {"Authorization": f"Bearer {short}"}
    assert http.get("/api/staff/requests", headers=expired).status_code == 401


def test_logout_and_deactivation_end_tokens_immediately(serve: Serve) -> None:
    site = serve()
    http = site.http()
    viewer = site.staff("viewer")
    consent = "/api/consent/allowed?subject=user_id=1&purpose=analytics"
    assert http.get(consent, headers=viewer).status_code == 200  # now cached
    assert http.post("/api/staff/logout", headers=viewer).status_code == 200
    assert http.get(consent, headers=viewer).status_code == 401
    assert http.get("/api/staff/requests", headers=viewer).status_code == 401

    handler = site.staff("handler")
    assert http.get(consent, headers=handler).status_code == 200
    console = site.client(OFFICE)
    console_login(console, "admin", PASSWORD)
    csrf = form_fields(console.get("/admin/staff").text)["csrf"]
    members = {a.username: a.id for a in site.app.state.staff.accounts()}
    off = console.post(f"/admin/staff/{members['handler']}", data={"csrf": csrf, "role": "handler"})
    assert off.status_code == 303
    assert http.get(consent, headers=handler).status_code == 401
    assert http.get("/api/staff/requests", headers=handler).status_code == 401


def test_a_password_change_ends_every_other_session_and_token(serve: Serve) -> None:
    site = serve()
    http = site.http()
    token = site.tokens["handler"]
    session = site.client(OFFICE, **{"accept-language": "en"})
    elsewhere = site.client(ATTACKER)
    assert console_login(session, "handler", PASSWORD) == 303
    assert console_login(elsewhere, "handler", PASSWORD) == 303
    csrf = form_fields(session.get("/admin/password").text)["csrf"]
    new = "a-new-long-password"
    changed = session.post(
        "/admin/password", data={"csrf": csrf, "current": PASSWORD, "new": new, "confirm": new}
    )
    assert changed.status_code == 200
    assert session.get("/admin/requests").status_code == 200
    assert elsewhere.get("/admin/requests").status_code == 303
    assert (
        http.get("/api/staff/requests", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
    actions = [e.action for e in _audit(site)]
    assert {"staff_created", "token_created", "password_changed"} <= set(actions)


def _audit(site: Served) -> list:
    import sqlalchemy as sa

    from policykeeper.store.models import AuditEntry

    with site.workflow.store.transaction() as session:
        return list(session.execute(sa.select(AuditEntry).order_by(AuditEntry.seq)).scalars())
