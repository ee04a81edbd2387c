"""A served AInema site per test module, for the center and console tests."""

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from store.kit import FakeClock, quick_settings
from web_kit import EXAMPLE, STAFF_PASSWORD, Sent, Site

from policykeeper.examples.generation import generate
from policykeeper.web.app import create_app


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app over a small AInema database, with staff of each role and a hand-moved clock."""
    folder = tmp_path_factory.mktemp("site")
    project = folder / "ainema"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".*", "*.sqlite3"))
    service_url = f"sqlite:///{project / 'ainema.sqlite3'}"
    generate("ainema", service_url, 20, progress=False)
    mail = Sent()
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    app = create_app(
        project,
        database_url=f"sqlite:///{folder / 'state.sqlite3'}",
        mailer=mail,
        clock=clock,
        settings=quick_settings(base_url="http://testserver"),
        secret_key=b"pages-test-secret-key-0123456789",
        run_worker=False,
    )
    for role in ("viewer", "handler", "admin"):
        app.state.staff.create(role, STAFF_PASSWORD, role)
    with TestClient(app):
        yield Site(app, mail, clock, service_url)
