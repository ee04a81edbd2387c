"""`policykeeper demo` on each example that runs on its own synthetic SQLite data: the privacy
center's home page, policy and every request form it offers, in Japanese and English.
(ALLIN STUDIO and Nicori run on WordPress and django-oscar: tests/wordpress and
tests/engine/test_nicori.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from policykeeper.web.center import form_rights
from policykeeper.web.demo import demo_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["ainema", "jasminai", "audiostock"])
def test_the_demo_serves_every_request_form_of_the_example(name: str, tmp_path: Path) -> None:
    project = tmp_path / name
    shutil.copytree(
        ROOT / "examples" / name, project, ignore=shutil.ignore_patterns(".*", "*.sqlite3")
    )
    demo = demo_app(project, users=15)
    assert demo.generated and sum(demo.generated.values()) > 15
    policy_name = {"ainema": "AInema", "jasminai": "jasminai", "audiostock": "Audiostock"}[name]
    with TestClient(demo.app) as client:
        for lang in ("ja", "en"):
            headers = {"Accept-Language": lang}
            home = client.get("/", headers=headers)
            assert home.status_code == 200
            assert client.get("/policy", headers=headers).status_code == 200
            kinds = [right.kind.value for right in form_rights(demo.app.state.workflow.policy)]
            assert kinds
            for kind in kinds:
                page = client.get(f"/requests/{kind}", headers=headers)
                assert page.status_code == 200, (name, lang, kind)
                assert f'href="/requests/{kind}"' in home.text
    assert policy_name.casefold() in home.text.casefold()
