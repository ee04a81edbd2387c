"""The domain validates, the shells translate: the request form and the JSON API refuse the
same addresses and agents, and the console form and the API the same staff accounts, because
each calls the workflow's one rule; the API's message is that rule's own words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from security_kit import Served, submit_form
from store.kit import with_right

from policykeeper.errors import Invalid
from policykeeper.workflow.inputs import check_agent, parse_email

Serve = Callable[..., Served]
ADDRESSES = [
    "a@example.jp, b@example.jp",
    "Hanako <a@example.jp>",
    "a@example.jp\nb@example.jp",
    "a@localhost",
    "a" * 250 + "@example.jp",
    "",
    "no-at-sign.example.jp",
]
AGENTS: list[dict[str, Any]] = [
    {"name": ""},
    {"name": "  "},
    {"name": "A\x07gent"},
    {"name": "x" * 201},
]


def _rule(check: Callable[..., Any], value: Any) -> str:
    with pytest.raises(Invalid) as refused:
        check(value)
    return str(refused.value)


def test_the_form_and_the_api_refuse_the_same_addresses_with_the_rule_s_words(
    serve: Serve,
) -> None:
    site = serve()
    http = site.http(**{"accept-language": "en"})
    before = site.requests()
    for address in ADDRESSES:
        api = http.post("/api/requests", json={"kind": "access", "email": address})
        assert api.status_code == 422, address
        assert api.json() == {"error": "invalid", "message": _rule(parse_email, address)}
        form, _ = submit_form(http, "access", address)
        assert form.status_code == 422 and "Please enter a valid email address." in form.text
    assert site.requests() == before
    accepted = "Hanako.Yamada@EXAMPLE.JP"
    assert http.post("/api/requests", json={"kind": "access", "email": accepted}).status_code == 202
    form, _ = submit_form(http, "access", accepted)
    assert form.status_code == 303
    assert site.requests() == before + 2


def test_the_form_and_the_api_refuse_the_same_agents(serve: Serve) -> None:
    site = serve()
    http = site.http(**{"accept-language": "en"})
    before = site.requests()
    body = {"kind": "access", "email": "a@example.jp", "agent": {"name": "Agent"}}
    refused = http.post("/api/requests", json=body)
    assert refused.json()["message"] == "agent: this right cannot be exercised through an agent"
    form, _ = submit_form(http, "access", "a@example.jp", agent="1", agent_name="Agent")
    assert form.status_code == 422 and "Please give the agent" in form.text

    site.workflow.policy = with_right(site.workflow.policy, "access", agents={"allowed": True})
    for agent in AGENTS:
        api = http.post("/api/requests", json=body | {"agent": agent})
        assert api.status_code == 422, agent
        assert api.json()["message"] == _rule(check_agent, agent)
        form, _ = submit_form(http, "access", "a@example.jp", agent="1", agent_name=agent["name"])
        assert form.status_code == 422 and "Please give the agent" in form.text, agent
    assert site.requests() == before
    assert http.post("/api/requests", json=body).status_code == 202
    form, _ = submit_form(http, "access", "b@example.jp", agent="1", agent_name="Agent")
    assert form.status_code == 303
    assert site.requests() == before + 2


def test_the_console_and_the_api_refuse_the_same_staff_accounts(serve: Serve) -> None:
    from security_kit import PASSWORD

    site = serve()
    admin = site.staff("admin")
    console = site.client()
    login = console.get("/admin/login")
    assert login.status_code == 200
    signed = console.post(
        "/admin/login",
        data={"csrf": _csrf(login.text), "username": "admin", "password": PASSWORD},
    )
    assert signed.status_code == 303
    bad = [
        ("", "a-long-enough-password"),
        ("x" * 101, "a-long-enough-password"),
        ("tab\tname", "a-long-enough-password"),
        ("someone", "short"),
    ]
    for username, password in bad:
        account = {"username": username, "password": password, "role": "viewer"}
        api = site.http().post("/api/staff/users", json=account, headers=admin)
        assert api.status_code == 422 and api.json()["error"] == "invalid", username
        page = console.get("/admin/staff")
        form = console.post("/admin/staff", data={"csrf": _csrf(page.text), **account})
        assert form.status_code == 422, username
    names = [a.username for a in site.app.state.staff.accounts()]
    assert names == sorted(["admin", "handler", "viewer"])
    long_name = "y" * 100
    created = site.http().post(
        "/api/staff/users",
        json={"username": long_name, "password": "a-long-enough-password", "role": "viewer"},
        headers=admin,
    )
    assert created.status_code == 201 and created.json()["username"] == long_name


def _csrf(html: str) -> str:
    from security_kit import form_fields

    return form_fields(html)["csrf"]
