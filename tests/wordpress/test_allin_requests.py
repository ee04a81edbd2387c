"""ALLIN STUDIO's declared rights end to end on its WordPress site: each arrives by email or post
(the declaration offers no form of its own), so staff record it, check the identity document,
take the declared 1,000 yen for disclosure, approve and execute; the person's rows change as
declared (SQL written here) and no one else's row changes. In Japanese and in English."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from intake_kit import run_by_post
from wordpress.kit import WordPressSite

from policykeeper.engine import Identity
from policykeeper.engine.restrict import is_restricted
from policykeeper.engine.runtime import release
from policykeeper.examples.wordpress.privacy import rows_changed, snapshot
from policykeeper.policy import load_policy
from policykeeper.project import load_project

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "allin-studio"
MEMBER = 2
Make = Callable[..., TestClient]


@pytest.fixture
def state_url(sqlite_state_url: str) -> str:
    """The state database on SQLite only: the WordPress side is what these tests are about."""
    return sqlite_state_url


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("kind", ["access", "rectification", "restriction"])
def test_every_declared_right_runs_by_post_on_wordpress(
    make_client: Make,
    wordpress: WordPressSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    state_url: str,
    kind: str,
    language: str,
) -> None:
    monkeypatch.setenv("ALLIN_DATABASE_URL", wordpress.site.database_url)
    folder = tmp_path / "allin-studio"
    shutil.copytree(EXAMPLE, folder)
    declared = [right.kind.value for right in load_policy(folder).rights]
    assert declared == ["access", "rectification", "restriction"]
    client = make_client(load_policy(folder), project=folder)
    person = wordpress.user(MEMBER)
    before = snapshot(wordpress.site)
    details = (
        {"changes": {"wp_usermeta.billing_phone": "090-1234-5678"}}
        if kind == "rectification"
        else {}
    )
    fee = 1000 if kind == "access" else 0  # 1,000 yen a case for disclosure
    result = run_by_post(client, kind, person["email"], language, fee, details=details)
    changed = rows_changed(before, snapshot(wordpress.site), request_id=-1)
    if kind == "rectification":
        (umeta_id,) = wordpress.query(
            "SELECT umeta_id FROM wp_usermeta WHERE user_id = :u AND meta_key = 'billing_phone'",
            u=person["ID"],
        )[0]
        assert changed == {("wp_usermeta", (umeta_id,)): {"meta_value"}}
        assert wordpress.query(
            "SELECT meta_value FROM wp_usermeta WHERE umeta_id = :m", m=umeta_id
        ) == [("090-1234-5678",)]
    else:  # disclosure and restriction change no row of the site
        assert changed == {}
    if kind == "access":
        handler = client.staff["handler"]  # type: ignore[attr-defined]
        export = client.get(f"/api/staff/requests/{result['id']}/export", headers=handler)
        assert export.status_code == 200, export.text
    if kind == "restriction":
        project = load_project(folder, state_url)  # the store the app recorded it in
        try:
            assert is_restricted(project, Identity("email", person["email"]))
            assert not is_restricted(project, Identity("email", wordpress.user(1)["email"]))
        finally:
            release(project)
