"""Rate limits count the connecting address; `X-Forwarded-For` is believed only from a proxy
named with `policykeeper serve --trusted-proxy` (uvicorn's default believes any local
process, and reads its own environment variable to widen that)."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from store.kit import AINEMA, free_port

SPOOFED = "198.51.100.77"


def failed_login_source(tmp_path: Path, *options: str) -> list[str]:
    """Serve a copy of AInema with `options`, fail one sign-in claiming to come from SPOOFED,
    and return the per-address buckets the failure was counted in."""
    project = tmp_path / "ainema"
    shutil.copytree(AINEMA, project, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    port = free_port()
    env = os.environ | {"FORWARDED_ALLOW_IPS": "*"}  # must not widen trust either
    env.pop("POLICYKEEPER_DATABASE_URL", None)
    command = [str(Path(sys.executable).parent / "policykeeper"), "serve", str(project)]
    command += ["--port", str(port), *options]
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
        refused = httpx.post(
            f"{base}/api/staff/login",
            json={"username": "admin", "password": "wrong-password-here"},
            headers={"X-Forwarded-For": SPOOFED},
        )
        assert refused.status_code == 401
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    with sqlite3.connect(project / ".policykeeper" / "state.sqlite3") as connection:
        rows = connection.execute(
            "SELECT bucket FROM rate_events WHERE bucket LIKE 'login-source:%'"
        ).fetchall()
    return [row[0].removeprefix("login-source:") for row in rows]


@pytest.mark.parametrize(
    ("options", "counted"),
    [((), "127.0.0.1"), (("--trusted-proxy", "127.0.0.1"), SPOOFED)],
    ids=["no-proxy-trusted", "proxy-named"],
)
def test_forwarded_for_is_believed_only_from_a_named_proxy(
    tmp_path: Path, options: tuple[str, ...], counted: str
) -> None:
    assert failed_login_source(tmp_path, *options) == [counted]
