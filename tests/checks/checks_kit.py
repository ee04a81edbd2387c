"""The AInema example as a running service for promise checks: its database (optionally with
a new phone-number column), and its site on loopback with PolicyKeeper's banner, a consent-gated
analytics script, and optionally an undeclared analytics tag served from "another company"
(127.0.0.2), which sets a cookie before consent as such tags do.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from policykeeper.examples.generation import generate
from policykeeper.project import Project, load_project
from policykeeper.retention import retention_run
from policykeeper.web.app import create_app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ainema"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET = b"checks-test-secret-0123456789abcdef"
THIRD_PARTY = "127.0.0.2"
PHONES = ["090-1234-5678", "080-2468-1357", "03-3456-7890", "+81 90-8765-4321", "070-1111-2222"]

PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>AInema</title>
<link rel="stylesheet" href="/consent/banner.css">
<script src="/consent/banner.js" data-lang="ja" defer></script>
{tag}
</head><body><main><h1>AInema</h1><p>{path}</p></main>
<script type="text/plain" data-category="analytics" src="/site/analytics.js"></script>
</body></html>
"""
OWN_ANALYTICS = "document.cookie = 'analytics=1; path=/; max-age=31536000';"
TAG = """
(function () {
  var id = 'GA1.1.' + Math.floor(Math.random() * 1e9) + '.' + Math.floor(Date.now() / 1000);
  document.cookie = '_ga=' + id + '; path=/; max-age=63072000';
  new Image().src = '%s/collect?v=2&tid=G-TEST123&cid=' + id + '&dl=' + encodeURIComponent(location.href);
})();
"""


def ainema_project(folder: Path, users: int = 40, url: str | None = None) -> Project:
    """A copy of the example on its own database, with retention already enforced at NOW."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("policy.yaml", "datamap.yaml"):
        shutil.copy(EXAMPLE / name, folder / name)
    database = url or f"sqlite:///{folder / 'ainema.sqlite3'}"
    if url is not None:
        text = (folder / "datamap.yaml").read_text()
        (folder / "datamap.yaml").write_text(
            text.replace("${AINEMA_DATABASE_URL:-sqlite:///ainema.sqlite3}", url)
        )
    generate("ainema", database, users, progress=False)
    project = load_project(folder)
    retention_run(project, NOW, store_url=state_url(folder))
    return project


def state_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'state.sqlite3'}"


def database_url(project: Project) -> str:
    return f"sqlite:///{project.directory / 'ainema.sqlite3'}"


def add_phone_column(url: str) -> None:
    """A developer's new column: users.tel2, filled with Japanese phone numbers."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE users ADD COLUMN tel2 VARCHAR(32)")
        ids = connection.exec_driver_sql("SELECT id FROM users ORDER BY id").scalars().all()
        for index, user_id in enumerate(ids):
            if index % 2 == 0:
                connection.execute(
                    sa.text("UPDATE users SET tel2 = :tel WHERE id = :id"),
                    {"tel": PHONES[index % len(PHONES)], "id": user_id},
                )
    engine.dispose()


def drop_phone_column(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE users DROP COLUMN tel2")
    engine.dispose()


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(app: FastAPI, host: str) -> Iterator[str]:
    port = free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, f"the server on {host} did not start"
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def tag_server() -> FastAPI:
    """The analytics vendor: a script that sets its cookie at once, and a collection pixel."""
    vendor = FastAPI()
    holder: dict[str, str] = {}
    vendor.state.holder = holder

    @vendor.get("/tag.js")
    def tag() -> Response:
        return Response(TAG % holder["origin"], media_type="text/javascript")

    @vendor.get("/collect")
    def collect() -> Response:
        return Response(status_code=204)

    return vendor


def service_site(project: Project, store: str, tag_origin: str | None) -> FastAPI:
    """The service's pages in front of PolicyKeeper (banner, consent API, gpc.json)."""
    policykeeper = create_app(
        project.directory, database_url=store, secret_key=SECRET, run_worker=False
    )
    site = FastAPI()
    site.state.policykeeper = policykeeper
    tag = f'<script src="{tag_origin}/tag.js"></script>' if tag_origin else ""

    def page(path: str) -> HTMLResponse:
        response = HTMLResponse(PAGE.format(tag=tag, path=path))
        response.set_cookie("ainema_session", "s3ss10n", httponly=True, samesite="lax")
        return response

    site.add_api_route("/", lambda: page("/"))
    site.add_api_route("/episodes/1", lambda: page("/episodes/1"))
    site.add_api_route(
        "/site/analytics.js", lambda: Response(OWN_ANALYTICS, media_type="text/javascript")
    )
    site.mount("/", policykeeper)
    return site


@contextmanager
def running_site(project: Project, store: str, *, with_tag: bool) -> Iterator[str]:
    """The site on 127.0.0.1, and the vendor on 127.0.0.2 when the tag is on the pages."""
    if not with_tag:
        with serve(service_site(project, store, None), "127.0.0.1") as url:
            yield url
        return
    vendor = tag_server()
    with serve(vendor, THIRD_PARTY) as origin:
        vendor.state.holder["origin"] = origin
        with serve(service_site(project, store, origin), "127.0.0.1") as url:
            yield url


HOSTILE_BANNER = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{path}</title></head>
<body><h1>{path}</h1>{body}</body></html>"""


def hostile_site(elsewhere: str) -> FastAPI:
    """Pages that misbehave the ways real pages do: one whose script never yields, one that
    never finishes loading, a download, one that redirects to `elsewhere`, one that sets far
    more storage keys and sends far more requests than a report should hold; and a plain page."""
    site = FastAPI()

    def page(path: str, body: str = "") -> HTMLResponse:
        return HTMLResponse(HOSTILE_BANNER.format(path=path, body=body))

    async def trickle() -> Any:
        for _ in range(60):  # bounded, so the test server can stop
            await asyncio.sleep(1)
            yield b" "

    site.add_api_route("/", lambda: page("/"))
    site.add_api_route(
        "/busy", lambda: page("/busy", "<script>setTimeout(() => { for (;;) {} }, 50)</script>")
    )
    site.add_api_route(
        "/never-loads", lambda: page("/never-loads", '<img src="/trickle.png" alt="">')
    )
    site.add_api_route("/trickle.png", lambda: StreamingResponse(trickle(), media_type="image/png"))
    site.add_api_route(
        "/download",
        lambda: Response(b"x", headers={"content-disposition": "attachment; filename=x.bin"}),
    )
    site.add_api_route("/away", lambda: RedirectResponse(f"{elsewhere}/", status_code=302))
    site.add_api_route(
        "/flood",
        lambda: page(
            "/flood",
            "<script>for (let i = 0; i < 2000; i++) { localStorage.setItem('k' + i, '1');"
            f" new Image().src = '{elsewhere}/p/' + i + '?id=' + i; }}</script>",
        ),
    )
    return site


def elsewhere_site() -> FastAPI:
    """Another company's host: a page that sets its own cookie, and a pixel."""
    other = FastAPI()

    @other.get("/")
    def home() -> HTMLResponse:
        response = HTMLResponse("<!DOCTYPE html><html><body>elsewhere</body></html>")
        response.set_cookie("elsewhere_id", "1", max_age=3600)
        return response

    @other.get("/p/{number}")
    def pixel(number: int) -> Response:
        return Response(status_code=204)

    return other
