"""`--from URL`: fetched with httpx from a real HTTP server on loopback; failures are one line."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.draft.sources import read_source
from policykeeper.errors import InputError

PAGE = (
    '<html lang="en"><body><h1>Privacy Policy</h1><h2>Information we collect</h2>'
    "<ul><li>Email address</li><li>IP address</li></ul><h2>Contact</h2>"
    '<p>Email: <a href="mailto:privacy@example.com">privacy@example.com</a></p></body></html>'
)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/privacy":
            body, kind, status = PAGE.encode(), "text/html; charset=utf-8", 200
        elif self.path == "/logo.png":
            body, kind, status = b"\x89PNG", "image/png", 200
        else:
            body, kind, status = b"not here", "text/plain", 404
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_policy_page_is_fetched_and_read(site) -> None:
    source = read_source(f"{site}/privacy")
    assert source.format == "html"
    assert [s.text for s in source.sentences if s.kind == "item"] == ["Email address", "IP address"]


def test_init_from_url_drafts_the_project(site, tmp_path) -> None:
    result = CliRunner().invoke(app, ["init", str(tmp_path / "p"), "--from", f"{site}/privacy"])
    assert result.exit_code == 0, result.stderr
    written = (tmp_path / "p" / "policy.yaml").read_text("utf-8")
    assert "privacy@example.com" in written and "user.device.ip_address" in written


@pytest.mark.parametrize(
    ("path", "message"),
    [("/missing", "cannot fetch: HTTP 404"), ("/logo.png", "not a text page (image/png)")],
)
def test_an_unusable_page_is_one_error(site, path: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        read_source(f"{site}{path}")


def test_an_unreachable_url_is_one_line_and_exit_2(tmp_path) -> None:
    probe = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port = probe.server_address[1]
    probe.server_close()
    result = CliRunner().invoke(
        app, ["init", str(tmp_path / "p"), "--from", f"http://127.0.0.1:{port}/privacy"]
    )
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith(f"error: http://127.0.0.1:{port}/privacy: cannot fetch:")
    assert not (tmp_path / "p").exists()
