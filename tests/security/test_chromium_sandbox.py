"""The site scan opens third-party pages, so Chromium keeps its sandbox. It runs without one
only as root inside a container (Chromium cannot sandbox itself as root; the container is then
the isolation), says so, and as root on a bare host it refuses to start rather than run hostile
pages unsandboxed."""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from servers import unavailable

from policykeeper.checks import sitescan
from policykeeper.checks.sitescan import CHROMIUM, CHROMIUM_ARGS, sandbox_off_reason, scan_site
from policykeeper.errors import InputError

pytestmark = pytest.mark.browser


def test_the_sandbox_is_off_only_for_root_in_a_container() -> None:
    assert "--no-sandbox" not in CHROMIUM_ARGS
    assert sandbox_off_reason(1000, in_container=True) is None
    assert sandbox_off_reason(1000, in_container=False) is None
    assert sandbox_off_reason(0, in_container=False) is None
    assert "root in a container" in (sandbox_off_reason(0, in_container=True) or "")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """A one-page site on a local port."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<!doctype html><title>shop</title><p>hello</p>")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_root_on_a_bare_host_gets_no_unsandboxed_browser(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture, site: str
) -> None:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    if os.geteuid() != 0:
        pytest.skip("only root can show Chromium refusing to start without --no-sandbox")
    monkeypatch.setattr(sitescan, "CONTAINER_MARKERS", (tmp_path / "not-a-container",))
    with pytest.raises(InputError, match="site scan of"):
        scan_site(site, ["/"], settle_ms=100, timeout_ms=3000)
    monkeypatch.setattr(sitescan, "CONTAINER_MARKERS", (tmp_path,))  # as in a container
    with caplog.at_level(logging.WARNING, logger="policykeeper.checks.sitescan"):
        scan = scan_site(site, ["/"], settle_ms=100, timeout_ms=3000)
    assert scan.runs and "root in a container" in caplog.text
