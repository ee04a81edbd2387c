"""Identity checks join with AND across the declaration and each jurisdiction's terms: a
jurisdiction that also accepts the emailed code does not waive the account login and further
information the right itself declares (jasminai's access)."""

from __future__ import annotations

from collections.abc import Callable

from security_kit import Served
from store.kit import with_right

Serve = Callable[..., Served]
PERSON = "member@example.eu"


def test_a_jurisdiction_accepting_email_does_not_waive_the_declared_login(serve: Serve) -> None:
    site = serve("jasminai", users=5)
    flow = site.workflow
    emailed = {"verification": ["registered_email"]}
    flow.policy = with_right(
        flow.policy, "access", by_jurisdiction={"gdpr": emailed, "ccpa": emailed}
    )
    http = site.http()
    assert http.post("/api/requests", json={"kind": "access", "email": PERSON}).status_code == 202
    token = site.status_token(PERSON)
    verified = http.post(f"/api/status/{token}/verify", json={"code": site.code(PERSON)})
    status = verified.json()
    assert status["state"] == "verifying", status
    assert status["identity_checks"] == ["account_login", "additional_information"]
    decided = http.post(
        f"/api/staff/requests/{status['reference']}/decision",
        json={"outcome": "approve"},
        headers=site.staff("handler"),
    )
    assert decided.status_code == 409  # nothing to decide before the declared steps
