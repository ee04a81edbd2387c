"""The commands a newcomer and an operator run: `policykeeper demo` prints the URLs and a login
that works, and `policykeeper serve` answers the pages and the console beside the JSON API."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from store.kit import AINEMA, free_port
from web_kit import form_fields

COMMAND = str(Path(sys.executable).parent / "policykeeper")


def wait_for(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            httpx.get(f"{base}/", timeout=2).raise_for_status()
            return
        except httpx.HTTPError:
            assert time.monotonic() < deadline and server.poll() is None
            time.sleep(0.2)


def project_copy(tmp_path: Path) -> Path:
    project = tmp_path / "ainema"
    shutil.copytree(AINEMA, project, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    return project


def test_demo_prints_urls_and_a_working_login(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICYKEEPER_", "AINEMA_"))}
    server = subprocess.Popen(
        [COMMAND, "demo", str(project), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base, server)
        assert (project / "ainema.sqlite3").is_file()
        with httpx.Client(base_url=base) as client:
            assert (
                "送信メール（デモ）"
                in client.get("/outbox", headers={"accept-language": "ja"}).text
            )
            login = form_fields(client.get("/admin/login").text)
            password = (project / ".policykeeper" / "demo-login.json").read_text()
            secret = re.search(r'"password": "([^"]+)"', password)
            assert secret
            signed_in = client.post(
                "/admin/login",
                data={**login, "username": "admin", "password": secret.group(1)},
            )
            assert signed_in.status_code == 303
    finally:
        server.send_signal(signal.SIGINT)
        _out, printed = server.communicate(timeout=30)
    assert f"{base}/admin" in printed and f"{base}/outbox" in printed
    assert secret.group(1) in printed


def test_serve_answers_the_pages_and_the_console(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKEEPER_DATABASE")}
    server = subprocess.Popen(
        [COMMAND, "serve", str(project), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base, server)
        home = httpx.get(f"{base}/", headers={"accept-language": "ja"})
        assert "プライバシーセンター" in home.text
        assert httpx.get(f"{base}/admin/login").status_code == 200
        assert httpx.get(f"{base}/static/site.css").status_code == 200
        assert httpx.get(f"{base}/openapi.json").status_code == 200
        assert httpx.get(f"{base}/outbox").status_code == 404
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
