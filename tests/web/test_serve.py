"""`policykeeper serve` migrates the store and answers the JSON API over real HTTP."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from store.kit import AINEMA, Mailbox, code_in, free_port, status_in


def test_serve_answers_the_api(tmp_path: Path, smtp_server: tuple[str, int, Mailbox]) -> None:
    host, smtp_port, mailbox = smtp_server
    project = tmp_path / "ainema"
    shutil.copytree(AINEMA, project, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    port = free_port()
    env = os.environ | {"POLICYKEEPER_SMTP_URL": f"smtp://{host}:{smtp_port}"}
    env.pop("POLICYKEEPER_DATABASE_URL", None)
    command = [
        str(Path(sys.executable).parent / "policykeeper"),
        "serve",
        str(project),
        "--port",
        str(port),
    ]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
        submitted = httpx.post(
            f"{base}/api/requests", json={"kind": "erasure", "email": "a@example.jp"}
        )
        assert submitted.status_code == 202
        assert submitted.json()["status_token"] is None  # the status link is only in the email
        token = status_in(mailbox, "a@example.jp")
        code, _ = code_in(mailbox, "a@example.jp")
        verified = httpx.post(f"{base}/api/status/{token}/verify", json={"code": code})
        assert verified.json()["state"] == "in_review"
        tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
        assert httpx.get(f"{base}/api/status/{tampered}").status_code == 404
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert (project / ".policykeeper" / "state.sqlite3").is_file()
