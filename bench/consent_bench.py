"""Consent benchmark: `allowed(subject, purpose)` in-process (cached) and over HTTP.

Goals: at least 1M checks/s in-process and 5k requests/s over HTTP on 2 cores.

    .venv/bin/python bench/consent_bench.py [--subjects 1000] [--checks 3000000]
        [--seconds 10] [--connections 64] [--workers 2]

The store is a fresh SQLite file with a consent history for --subjects people (AInema's
declaration). In-process: checks spread over every subject and purpose after one warm-up
pass, on one core. HTTP: GET /api/consent/allowed with a staff token against uvicorn on
127.0.0.1, loaded by wrk (Debian's package) for --seconds, or, without wrk, by a bounded
httpx loop.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fastapi import FastAPI

from policykeeper.consent.service import ConsentService
from policykeeper.policy import load_policy
from policykeeper.store import Store, migrate

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ainema"
SECRET = b"consent-bench-secret-0123456789abcdef"
URL_ENV = "POLICYKEEPER_BENCH_CONSENT_URL"


def app_from_env() -> FastAPI:
    """The app uvicorn's workers build (--factory): the real one, without the worker thread."""
    from policykeeper.web.app import create_app

    return create_app(
        EXAMPLE, database_url=os.environ[URL_ENV], secret_key=SECRET, run_worker=False
    )


def seed(service: ConsentService, subjects: int) -> list[str]:
    names = [f"device:bench-{n}" for n in range(1, subjects + 1)]
    for n, subject in enumerate(names):
        service.ledger.record(subject, {"analytics": n % 3 != 0}, source="api", language="ja")
    return names


def in_process(
    service: ConsentService, names: list[str], checks: int
) -> tuple[float, float, float]:
    """(cold loads per second, cached checks per second of wall time and of CPU time).

    CPU time is reported too because the benchmark may share its cores with other work."""
    purposes = sorted(service.catalog.purposes)
    started = time.perf_counter()
    for subject in names:
        service.allowed(subject, "analytics")
    cold = len(names) / (time.perf_counter() - started)
    pairs = [(s, p) for s in names for p in purposes]
    rounds = max(1, checks // len(pairs))
    allowed = service.allowed
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for subject, purpose in pairs:
            allowed(subject, purpose)
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    done = rounds * len(pairs)
    return cold, done / elapsed, done / used


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "consent_bench:app_from_env",
        "--factory",
        "--app-dir",
        str(Path(__file__).resolve().parent),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(command, env={**os.environ, URL_ENV: url})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the server did not start within 60 s")


def with_wrk(url: str, token: str, seconds: int, connections: int) -> tuple[float, str]:
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} failed responses:\n{output}")
    assert found, output
    return float(found.group(1)), output


def with_httpx(url: str, token: str, seconds: int, connections: int) -> float:
    """Bounded in time and in count: at most 200k requests."""
    import httpx

    async def run() -> int:
        done = 0
        stop = time.monotonic() + seconds
        limits = httpx.Limits(max_connections=connections)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(limits=limits, headers=headers) as client:

            async def worker() -> None:
                nonlocal done
                while time.monotonic() < stop and done < 200_000:
                    response = await client.get(url)
                    response.raise_for_status()
                    done += 1

            await asyncio.gather(*(worker() for _ in range(connections)))
        return done

    started = time.perf_counter()
    count = asyncio.run(run())
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1000)
    parser.add_argument("--checks", type=int, default=3_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="pk-consent-bench-"))
    try:
        url = f"sqlite:///{folder / 'state.sqlite3'}"
        migrate(url)
        store = Store(url)
        service = ConsentService(store, load_policy(EXAMPLE), key=SECRET, ttl=3600)
        names = seed(service, args.subjects)
        cold, cached, per_cpu = in_process(service, names, args.checks)
        print(
            f"in-process: {cached:,.0f} checks/s cached (goal 1,000,000); "
            f"{per_cpu:,.0f} per CPU-second"
        )
        print(f"  first load of a subject from the ledger: {cold:,.0f}/s ({len(names)} subjects)")

        from policykeeper.workflow.setup import open_staff

        staff = open_staff(EXAMPLE, database_url=url, secret_key=SECRET)
        token = staff.api_token(staff.create("bench", "bench-password-long", "viewer"))
        staff.store.dispose()
        store.dispose()

        port = free_port()
        server = start_server(url, port, args.workers)
        try:
            target = (
                f"http://127.0.0.1:{port}/api/consent/allowed?subject={names[1]}&purpose=analytics"
            )
            if shutil.which("wrk"):
                with_wrk(target, token, 2, args.connections)  # warm-up: caches, connections
                rate, output = with_wrk(target, token, args.seconds, args.connections)
                latency = re.search(r"^\s+50%\s+(\S+).*?^\s+99%\s+(\S+)", output, re.S | re.M)
                tool = "wrk"
            else:
                rate, latency, tool = (
                    with_httpx(target, token, args.seconds, args.connections),
                    None,
                    "httpx",
                )
            print(
                f"HTTP: {rate:,.0f} requests/s (goal 5,000) with {tool}, {args.connections} "
                f"connections, {args.workers} uvicorn workers, {os.cpu_count()} cores"
            )
            if latency:
                print(f"  latency p50 {latency.group(1)}, p99 {latency.group(2)}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
