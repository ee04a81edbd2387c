"""The ASGI middleware puts each request's consent on `request.state.consent`."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from policykeeper.consent import ConsentMiddleware
from policykeeper.consent.cookie import COOKIE_NAME, DeviceCookie
from policykeeper.consent.service import ConsentService

Make = Callable[..., ConsentService]


def client_for(service: ConsentService) -> TestClient:
    app = FastAPI()

    @app.get("/check/{purpose}")
    def check(purpose: str, request: Request) -> dict[str, object]:
        consent = request.state.consent
        return {
            "subject": consent.subject,
            "signal": consent.signal,
            "allowed": consent.allowed(purpose),
            "error": consent.cookie_error,
        }

    def subject_of(scope: dict[str, object]) -> str | None:
        headers = dict(scope["headers"])  # type: ignore[call-overload]
        user = headers.get(b"x-user")
        return f"user_id={user.decode()}" if user else None

    app.add_middleware(ConsentMiddleware, service=service, subject_of=subject_of)
    return TestClient(app)


def test_the_device_in_the_cookie_is_the_subject(make_lite: Make) -> None:
    service = make_lite("ainema")
    client = client_for(service)
    assert client.get("/check/analytics").json() == {
        "subject": None,
        "signal": None,
        "allowed": False,
        "error": None,
    }
    device = DeviceCookie.new(service.catalog.version)
    service.ledger.record(device.device, {"analytics": True}, source="banner", language="ja")
    client.cookies.set(COOKIE_NAME, service.signer.dump(device))
    body = client.get("/check/analytics").json()
    assert body["subject"] == device.device and body["allowed"] is True


def test_the_services_own_user_comes_first(make_lite: Make) -> None:
    service = make_lite("jasminai")
    service.ledger.record("user_id=4", {"personalization": True}, source="api", language="en")
    body = client_for(service).get("/check/personalization", headers={"x-user": "4"}).json()
    assert body["subject"] == "user_id=4" and body["allowed"] is True


def test_a_forged_cookie_counts_as_no_consent(make_lite: Make) -> None:
    service = make_lite("ainema")
    client = client_for(service)
    device = DeviceCookie.new(service.catalog.version)
    service.ledger.record(device.device, {"analytics": True}, source="banner", language="ja")
    value = service.signer.dump(device)
    client.cookies.set(COOKIE_NAME, value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    body = client.get("/check/analytics").json()
    assert body["subject"] is None and body["allowed"] is False
    assert "not issued by this service" in body["error"]


def test_a_gpc_header_opts_out_on_that_request(make_lite: Make) -> None:
    client = client_for(make_lite("audiostock"))
    assert client.get("/check/targeted_advertising").json()["allowed"] is True
    body = client.get("/check/targeted_advertising", headers={"Sec-GPC": "1"}).json()
    assert body == {"subject": None, "signal": "gpc", "allowed": False, "error": None}
    assert client.get("/check/service", headers={"Sec-GPC": "1"}).json()["allowed"] is True
