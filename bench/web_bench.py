"""Privacy center load benchmark: the home page, the status page and request submission,
served by uvicorn on 127.0.0.1 and loaded by wrk (Debian's package) on 2 cores.

Goal: at least 1,000 requests/s for the read pages with p99 under 50 ms.

    .venv/bin/python bench/web_bench.py [--users 200] [--seconds 10] [--connections 16]
        [--workers 2] [--threads 1] [--state-url postgresql+psycopg://...]

The data is the demo's: AInema with synthetic people on SQLite and a SQLite state store, email
kept in an outbox folder; --state-url puts the state store on an empty PostgreSQL database
instead, as in production. The status page is that of a verified request (timeline, due date).
Submissions are real: each creates a request, an audit entry, a job and a code email, with a
fresh form id and address per request (rate limits raised for the run); they are reported,
without a goal, because they write.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ainema"
SECRET = b"web-bench-secret-key-0123456789abcdef"
PROJECT_ENV = "POLICYKEEPER_BENCH_PROJECT"
STATE_ENV = "POLICYKEEPER_BENCH_STATE"
GOAL_RATE, GOAL_P99_MS = 1000.0, 50.0


def settings() -> object:
    from policykeeper.workflow.settings import WorkflowSettings

    return WorkflowSettings(
        base_url="http://127.0.0.1", codes_per_ip=10**9, codes_per_address=10**9
    )


def app_from_env() -> FastAPI:
    """The app each uvicorn worker builds (--factory), as `policykeeper demo` builds it."""
    from policykeeper.web.app import create_app
    from policykeeper.web.outbox import OutboxMailer

    project = Path(os.environ[PROJECT_ENV])
    return create_app(
        project,
        database_url=os.environ[STATE_ENV],
        mailer=OutboxMailer(project.parent / "outbox"),
        settings=settings(),  # type: ignore[arg-type]
        secret_key=SECRET,
        run_worker=False,
    )


def prepare(folder: Path, users: int, state_url: str | None) -> tuple[Path, str, str]:
    """The example project with its data, the state URL and a verified request's status token."""
    from policykeeper.examples.generation import generate
    from policykeeper.web.outbox import OutboxMailer
    from policykeeper.workflow.service import NewRequest
    from policykeeper.workflow.setup import open_workflow

    project = folder / "ainema"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".*", "*.sqlite3"))
    generate("ainema", f"sqlite:///{project / 'ainema.sqlite3'}", users, progress=False)
    state = state_url or f"sqlite:///{folder / 'state.sqlite3'}"
    outbox = folder / "outbox"
    flow = open_workflow(
        project,
        database_url=state,
        mailer=OutboxMailer(outbox),
        settings=settings(),  # type: ignore[arg-type]
        secret_key=SECRET,
    )
    submitted = flow.submit(NewRequest("access", "user1@example.jp", language="ja"), "127.0.0.1")
    body = sorted(outbox.glob("*.json"))[-1].read_text("utf-8")
    code = re.search(r"確認コード: (\d{6})", body.encode().decode("unicode_escape"))
    if code is None:
        code = re.search(r"(\d{6})", body)
    assert code is not None
    flow.verify_code(submitted.status_token, code.group(1), "127.0.0.1")
    flow.store.dispose()
    return project, state, submitted.status_token


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(project: Path, state: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "web_bench:app_from_env",
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
    env = {**os.environ, PROJECT_ENV: str(project), STATE_ENV: state}
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start within 60 s")


SUBMIT_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "pk_csrf=%(seed)s"
local counter = 0
function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) %% 100000)
end
function request()
  counter = counter + 1
  local id = string.format("%%08x%%08x%%08x%%08x", math.random(0, 2147483647),
    math.random(0, 2147483647), math.random(0, 2147483647), counter)
  local body = "csrf=%(csrf)s&form_id=" .. id .. "&email=bench-" .. id .. "%%40example.jp"
  return wrk.format(nil, "/requests/access", nil, body)
end
"""


@dataclass(frozen=True)
class Result:
    name: str
    rate: float
    p99_ms: float
    failed: int
    goal: bool


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(
    name: str, url: str, args: argparse.Namespace, script: Path | None = None, goal: bool = True
) -> Result:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s"]
    command += ["--latency", *(["-s", str(script)] if script else []), url]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=args.seconds + 60
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"\s99%\s+([\d.]+\w+)", output)
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    assert rate and p99, output
    return Result(
        name,
        float(rate.group(1)),
        _milliseconds(p99.group(1)),
        int(failed.group(1)) if failed else 0,
        goal,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--state-url", help="An empty PostgreSQL database for the state store.")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    with tempfile.TemporaryDirectory(prefix="pk-web-bench-") as temporary:
        folder = Path(temporary)
        project, state, token = prepare(folder, args.users, args.state_url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(project, state, port, args.workers)
        try:
            form = httpx.get(f"{base}/requests/access")
            seed = form.cookies["pk_csrf"]
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert csrf is not None and httpx.get(f"{base}/status/{token}").status_code == 200
            for _ in range(50):  # warm both workers' page caches before measuring
                httpx.get(f"{base}/")
                httpx.get(f"{base}/status/{token}")
            script = folder / "submit.lua"
            script.write_text(SUBMIT_LUA % {"seed": seed, "csrf": csrf.group(1)})
            results = [
                run_wrk("home page          GET /", f"{base}/", args),
                run_wrk("status page        GET /status/…", f"{base}/status/{token}", args),
                run_wrk("request submission POST /requests/access", base, args, script, False),
            ]
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"\nwrk {args.seconds}s per endpoint, {args.connections} connections, {args.threads} wrk "
        f"thread(s), {args.workers} uvicorn workers, {os.cpu_count()} cores, {args.users} people, "
        f"state on {'PostgreSQL' if args.state_url else 'SQLite'}"
    )
    print(f"{'endpoint':42} {'req/s':>9} {'p99 ms':>8} {'failed':>7}  goal")
    for r in results:
        verdict = "-"
        if r.goal:
            met = r.rate >= GOAL_RATE and r.p99_ms < GOAL_P99_MS
            verdict = "met" if met else f"missed (>= {GOAL_RATE:.0f}/s, p99 < {GOAL_P99_MS:.0f} ms)"
        print(f"{r.name:42} {r.rate:9.0f} {r.p99_ms:8.1f} {r.failed:7d}  {verdict}")


if __name__ == "__main__":
    main()
