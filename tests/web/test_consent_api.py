"""The consent routes on the real app: GPC support, banner assets, the device API with its
signed cookie, the service's API and runtime check, and the preferences page without JavaScript."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from store.kit import quick_settings

from policykeeper.consent.cookie import COOKIE_NAME
from policykeeper.web.app import create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Client = Callable[[str], TestClient]


class Outbox:
    """Mail the workflow sends, kept in memory (the workflow's own tests use real SMTP)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestClient]]:
    """One app per example for the module (each on its own store); tests use distinct subjects."""
    clients: dict[str, TestClient] = {}
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


@pytest.fixture
def make(apps: dict[str, TestClient], tmp_path_factory: pytest.TempPathFactory) -> Client:
    def build(example: str) -> TestClient:
        if example not in apps:
            folder = tmp_path_factory.mktemp(example)
            app = create_app(
                EXAMPLES / example,
                database_url=f"sqlite:///{folder / 'state.sqlite3'}",
                mailer=Outbox(),
                settings=quick_settings(),
                secret_key=b"test-secret-key-0123456789abcdef",
                run_worker=False,
            )
            client = TestClient(app)
            client.__enter__()
            staff = app.state.staff
            tokens = {}
            for role in ("viewer", "handler"):
                member = staff.create(role, f"{role}-password-long", role)
                tokens[role] = {"Authorization": f"Bearer {staff.api_token(member)}"}
            client.staff = tokens  # type: ignore[attr-defined]
            apps[example] = client
        client = apps[example]
        client.cookies.clear()
        return client

    return build


def choice(client: TestClient, **body: object) -> dict[str, object]:
    version = client.get("/consent/config.json").json()["version"]
    return {"policy_version": version, "language": "ja", **body}


def records(client: TestClient, subject: str) -> list[dict[str, object]]:
    response = client.get(
        f"/api/consent/subjects/{subject}/records",
        headers=client.staff["viewer"],  # type: ignore[attr-defined]
    )
    return response.json().get("records", []) if response.status_code == 200 else []


def test_gpc_support_is_published_only_when_declared(make: Client) -> None:
    # AInema's policy says nothing about GPC: no file claims support it never promised.
    assert make("ainema").get("/.well-known/gpc.json").status_code == 404
    rules = make("ainema").app.state.consent.rules  # type: ignore[attr-defined]
    declared = dataclasses.replace(rules, declared_gpc=True)
    assert declared.well_known(date(2026, 12, 1)) == {"gpc": True, "lastUpdate": "2026-03-23"}


def test_banner_assets_and_config(make: Client) -> None:
    client = make("jasminai")
    js = client.get("/consent/banner.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "data-category" in js.text
    assert client.get("/consent/banner.css").headers["content-type"].startswith("text/css")
    config = client.get("/consent/config.json").json()
    assert [i["purpose"] for i in config["items"]] == ["analytics_cookies", "personalization"]
    assert config["signals"] == {"gpc": True, "dnt": True, "purposes": []}
    assert config["messages"]["ja"]["reject_all"] == "すべて拒否する"
    assert config["items"][1]["text"]["en"]["trackers"][0]["name"] == "gravity_cookie"


def test_the_banner_choice_is_recorded_and_signed_into_the_cookie(make: Client) -> None:
    client = make("ainema")
    response = client.post("/api/consent/device", json=choice(client, choices={"analytics": True}))
    assert response.status_code == 200, response.text
    assert response.json()["state"]["analytics"]["allowed"] is True
    assert COOKIE_NAME in response.cookies
    device = client.get("/api/consent/device").json()
    assert device["state"]["analytics"]["choice"] == "given"
    subject = device["device"]
    client.post(
        "/api/consent/device",
        json=choice(client, choices={"analytics": False}, source="settings"),
    )
    history = records(client, subject)
    assert [(r["action"], r["source"]) for r in history] == [
        ("given", "banner"),
        ("withdrawn", "settings"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"choices": {"nope": True}},
        {"choices": {"service": True}},
        {"choices": {"analytics": "yes"}},
        {"choices": {"analytics": True}, "language": "fr"},
        {"choices": {"analytics": True}, "source": "gpc"},
        {"choices": {"analytics": True}, "extra": 1},
        {"choices": {"analytics": True}, "policy_version": "1999-01-01"},
        {"choices": {}},
    ],
)
def test_malformed_or_unknown_choices_are_refused_and_change_nothing(
    make: Client, body: dict[str, object]
) -> None:
    client = make("ainema")
    response = client.post("/api/consent/device", json=choice(client, **body))
    assert response.status_code in (409, 422), response.text
    assert response.json()["message"]
    assert COOKIE_NAME not in response.cookies


def test_a_forged_cookie_is_refused_and_changes_nothing(make: Client) -> None:
    client = make("ainema")
    client.post("/api/consent/device", json=choice(client, choices={"analytics": False}))
    real = client.get("/api/consent/device").json()["device"]
    value = client.cookies[COOKIE_NAME]
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, value.replace(value[3], "x" if value[3] != "x" else "y", 1))
    response = client.post("/api/consent/device", json=choice(client, choices={"analytics": True}))
    assert response.status_code == 400
    assert response.json()["error"] == "forged_cookie"
    assert [r["action"] for r in records(client, real)] == ["withdrawn"]


def test_gpc_is_recorded_as_an_honoured_opt_out(make: Client) -> None:
    client = make("audiostock")
    response = client.post(
        "/api/consent/device", json=choice(client, choices={}), headers={"Sec-GPC": "1"}
    )
    assert response.status_code == 200, response.text
    state = response.json()["state"]
    assert response.json()["signal"] == "gpc"
    assert state["targeted_advertising"]["allowed"] is False
    assert state["targeted_advertising"]["opted_out_by_signal"] is True
    subject = client.get("/api/consent/device").json()["device"]
    assert {(r["purpose"], r["action"], r["source"]) for r in records(client, subject)} == {
        ("targeted_advertising", "withdrawn", "gpc"),
        ("statistics", "withdrawn", "gpc"),
    }


def test_the_service_records_for_its_users_and_checks_at_runtime(make: Client) -> None:
    client = make("jasminai")
    handler, viewer = client.staff["handler"], client.staff["viewer"]  # type: ignore[attr-defined]
    body = {"choices": {"personalization": True}, "language": "en"}
    assert client.post("/api/consent/subjects/user_id=1", json=body).status_code == 401
    assert (
        client.post("/api/consent/subjects/user_id=1", json=body, headers=viewer).status_code == 403
    )
    assert (
        client.post("/api/consent/subjects/user_id=1", json=body, headers=handler).status_code
        == 200
    )
    check = client.get(
        "/api/consent/allowed",
        params={"subject": "user_id=1", "purpose": "personalization"},
        headers=viewer,
    )
    assert check.json() == {"subject": "user_id=1", "purpose": "personalization", "allowed": True}
    unknown = client.get(
        "/api/consent/allowed", params={"subject": "user_id=1", "purpose": "nope"}, headers=viewer
    )
    assert unknown.status_code == 422 and "unknown purpose" in unknown.json()["message"]
    state = client.get("/api/consent/subjects/user_id=1", headers=viewer).json()
    assert state["state"]["personalization"]["choice"] == "given"
    assert client.get("/api/consent/subjects/user_id=2", headers=viewer).status_code == 404


def test_withdrawing_sensitive_consent_creates_the_deactivation_request(make: Client) -> None:
    client = make("jasminai")
    handler = client.staff["handler"]  # type: ignore[attr-defined]
    url = "/api/consent/subjects/email=ann@example.com"
    client.post(
        url, json={"choices": {"sensitive_services": True}, "language": "en"}, headers=handler
    )
    response = client.post(
        url, json={"choices": {"sensitive_services": False}, "language": "en"}, headers=handler
    )
    effects = response.json()["effects"]
    assert [(e["purpose"], e["effect"]) for e in effects] == [
        ("sensitive_services", "deactivate_account")
    ]
    assert effects[0]["request"] and effects[0]["error"] is None


def test_preferences_page_works_without_javascript(make: Client) -> None:
    client = make("jasminai")
    page = client.get("/consent/preferences?lang=ja")
    assert page.status_code == 200
    assert "プライバシー設定" in page.text and "gravity_cookie" in page.text
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    version = re.search(r'name="policy_version" value="([^"]+)"', page.text)
    assert token and version
    form = {
        "csrf": token.group(1),
        "policy_version": version.group(1),
        "language": "ja",
        "action": "save",
        "purpose.personalization": "on",
    }
    saved = client.post("/consent/preferences?lang=ja", data=form, follow_redirects=False)
    assert saved.status_code == 303 and COOKIE_NAME in saved.cookies
    state = client.get("/api/consent/device").json()["state"]
    assert state["personalization"]["allowed"] and not state["analytics_cookies"]["allowed"]
    shown = client.get("/consent/preferences?lang=ja&saved=1").text
    assert "選択を保存しました。" in shown
    withdraw = {**form, "action": "reject_all"}
    client.post("/consent/preferences?lang=ja", data=withdraw, follow_redirects=False)
    state = client.get("/api/consent/device").json()["state"]
    assert not state["personalization"]["allowed"]


def test_preferences_form_without_a_valid_csrf_token_is_refused(make: Client) -> None:
    client = make("jasminai")
    client.get("/consent/preferences?lang=en")
    response = client.post(
        "/consent/preferences?lang=en",
        data={"csrf": "forged", "policy_version": "2025-03-03", "action": "accept_all"},
    )
    assert response.status_code == 403
    assert COOKIE_NAME not in response.cookies
    assert client.get("/api/consent/device").json()["device"] is None


def test_dnt_is_honoured_only_where_the_declaration_promises_it(make: Client) -> None:
    dnt = {"DNT": "1"}
    jasminai = make("jasminai").get("/consent/preferences?lang=en", headers=dnt).text
    assert "Do Not Track signal detected: treated as an opt-out request and honoured." in jasminai
    ainema = make("ainema")
    assert "トラッキング拒否" not in ainema.get("/consent/preferences?lang=ja", headers=dnt).text
    gpc = ainema.get("/consent/preferences?lang=ja", headers={"Sec-GPC": "1"}).text
    assert "オプトアウトの請求に対応済みです。" in gpc


def test_a_stale_policy_version_on_the_form_asks_again(make: Client) -> None:
    client = make("ainema")
    page = client.get("/consent/preferences?lang=en")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    form = {"csrf": token.group(1), "policy_version": "2001-01-01", "action": "accept_all"}
    response = client.post("/consent/preferences?lang=en", data=form)
    assert response.status_code == 409
    assert "The privacy policy has been updated." in response.text
    assert COOKIE_NAME not in response.cookies


def test_preferences_refuse_a_forged_cookie_and_forget_it(make: Client) -> None:
    client = make("ainema")
    client.cookies.set(COOKIE_NAME, "eyJkIjoiZGV2aWNlOmZha2UifQ.forged")
    response = client.get("/consent/preferences?lang=en")
    assert response.status_code == 400
    assert "could not be verified" in response.text
    cleared = [c for c in response.headers.get_list("set-cookie") if c.startswith(COOKIE_NAME)]
    assert cleared and "Max-Age=0" in cleared[0]
