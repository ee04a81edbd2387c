"""The console's promise-check pages: the latest report and its history for any signed-in staff
member, each report as JSON and standalone HTML, and nothing for anyone else."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from checks_kit import (
    NOW,
    SECRET,
    add_phone_column,
    ainema_project,
    database_url,
    serve,
    state_url,
)
from fastapi.testclient import TestClient
from store.kit import quick_settings

from policykeeper.checks import run_checks
from policykeeper.web.app import create_app

PASSWORD = "console-checks-password"


def test_staff_read_the_latest_report_and_its_history(tmp_path: Path) -> None:
    folder = tmp_path / "ainema"
    project = ainema_project(folder, users=15)
    store = state_url(folder)
    first = run_checks(project, store_url=store, now=NOW)
    add_phone_column(database_url(project))
    second = run_checks(project, store_url=store, now=NOW.replace(hour=10))
    app = create_app(
        folder,
        database_url=store,
        settings=quick_settings(),
        secret_key=SECRET,
        run_worker=False,
    )
    app.state.staff.create("viewer", PASSWORD, "viewer")
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/admin/checks").status_code == 303  # not signed in: to the login
        assert client.get(f"/admin/checks/{first.run_id}/report.json").status_code == 303
        login = client.get("/admin/login").text
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', login))
        signed = client.post(
            "/admin/login", data={**fields, "username": "viewer", "password": PASSWORD}
        )
        assert signed.status_code == 303

        latest = client.get("/admin/checks?lang=ja")
        assert latest.status_code == 200
        assert "6. 保存期間" in latest.text and "users.tel2" in latest.text
        assert latest.text.count('href="/admin/checks/') >= 2  # both runs in the history
        assert 'href="/admin/checks/report.css"' in latest.text

        older = client.get(f"/admin/checks/{first.run_id}?lang=en")
        assert older.status_code == 200 and "users.tel2" not in older.text.split("History")[0]

        exported = client.get(f"/admin/checks/{second.run_id}/report.json")
        assert exported.headers["content-disposition"].startswith("attachment")
        assert exported.json()["status"] == "fail"
        standalone = client.get(f"/admin/checks/{second.run_id}/report.html?lang=en")
        assert "<style>" in standalone.text and "promise check report" in standalone.text
        assert client.get("/admin/checks/" + "0" * 32).status_code == 404
        assert client.get("/admin/checks/report.css").headers["content-type"].startswith("text/css")


@pytest.mark.browser
def test_the_history_reads_on_a_phone(tmp_path: Path, chromium: Any) -> None:
    """At phone width each history row is a card; its result (mark and words) stays one line."""
    folder = tmp_path / "ainema"
    project = ainema_project(folder, users=10)
    store = state_url(folder)
    run_checks(project, store_url=store, now=NOW)
    app = create_app(
        folder,
        database_url=store,
        settings=quick_settings(),
        secret_key=SECRET,
        run_worker=False,
    )
    app.state.staff.create("viewer", PASSWORD, "viewer")
    with serve(app, "127.0.0.1") as url:
        page = chromium.new_page(viewport={"width": 390, "height": 900})
        page.goto(f"{url}/admin/login")
        page.fill("input[name=username]", "viewer")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        response = page.goto(f"{url}/admin/checks?lang=en")
        assert response is not None and response.headers["cache-control"] == "no-store"
        cells = page.locator("table.queue tbody tr").first.locator("td")
        checked, result = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
        assert checked is not None and result is not None
        assert result["height"] <= checked["height"] + 2  # not the mark on one line, words below
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.close()
