"""Each seed service's consent as its declaration states it: the consent items (purposes on
consent, and those a declared cookie serves), which of them the cookie banner shows, and a
banner opt-in then opt-out recorded for each banner item. ALLIN STUDIO and Nicori declare no
cookies or trackers: their banner shows nothing and their consents are taken by the service."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from store.kit import EXAMPLES, quick_settings

from policykeeper.web.app import create_app

DECLARED = {
    "ainema": {"analytics": ("opt_in", True)},
    "jasminai": {
        "profile": ("opt_in", False),
        "profile_sexual_preferences": ("opt_in", False),
        "sensitive_services": ("opt_in", False),
        "analytics_cookies": ("opt_in", True),
        "marketing": ("opt_out", False),
        "personalization": ("opt_in", True),
    },
    "audiostock": {"statistics": ("opt_out", True), "targeted_advertising": ("opt_out", True)},
    "allin-studio": {"works_publication": ("opt_in", False)},
    "nicori": {"promotions": ("opt_in", False)},
}
"""(mechanism, shown in the banner) per consent item, read from each policy.yaml by hand."""


class Outbox:
    def send(self, to: str, subject: str, body: str) -> None:
        """The consent routes send no mail."""


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_the_seeds_consent_items_and_banner_behave_as_declared(name: str, tmp_path: Path) -> None:
    app = create_app(
        EXAMPLES / name,
        database_url=f"sqlite:///{tmp_path / 'state.sqlite3'}",
        mailer=Outbox(),
        settings=quick_settings(),
        secret_key=b"test-secret-key-0123456789abcdef",
        run_worker=False,
    )
    items = app.state.keeper.consent_items()
    assert {k: (v["mechanism"], v["banner"]) for k, v in items.items()} == DECLARED[name]
    banner = sorted(k for k, (_m, shown) in DECLARED[name].items() if shown)
    viewer = app.state.staff.create("viewer", "viewer-password-long", "viewer")
    token = {"Authorization": f"Bearer {app.state.staff.api_token(viewer)}"}
    with TestClient(app) as client:
        config = client.get("/consent/config.json").json()
        assert sorted(item["purpose"] for item in config["items"]) == banner
        if not banner:
            return
        for given in (True, False):
            body = {
                "policy_version": config["version"],
                "language": "ja",
                "choices": dict.fromkeys(banner, given),
            }
            response = client.post("/api/consent/device", json=body)
            assert response.status_code == 200, response.text
            state = response.json()["state"]
            assert {k: state[k]["allowed"] for k in banner} == dict.fromkeys(banner, given)
        subject = client.get("/api/consent/device").json()["device"]
        history = client.get(f"/api/consent/subjects/{subject}/records", headers=token).json()
        actions = sorted((r["purpose"], r["action"], r["source"]) for r in history["records"])
        assert actions == sorted(
            (k, action, "banner") for k in banner for action in ("given", "withdrawn")
        )
