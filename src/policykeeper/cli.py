"""The command line: each command is one call into the Python API, with errors as single lines."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from policykeeper.errors import InputError, PolicyKeeperError, ProblemsFound

app = typer.Typer(
    help="PolicyKeeper: keep a privacy policy true in the service's own systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
Command = TypeVar("Command", bound=Callable[..., Any])

ProjectDir = Annotated[
    Path, typer.Argument(help="Project directory with policy.yaml and datamap.yaml.")
]


@functools.cache
def _config() -> Any:
    """The configuration the environment gives; read once, here at the edge."""
    from policykeeper.config import Config

    return Config.from_environment()


def _state_url(directory: Path, db: str | None) -> str:
    """PolicyKeeper's own store: --db, else the configured URL, else the project's file."""
    from policykeeper.store import default_url

    return db or _config().database_url or default_url(directory)


def _keeper(directory: Path, db: str | None = None, **parts: Any) -> Any:
    """The one place the command line builds the Keeper: the environment, then the flags."""
    from policykeeper.keeper import Keeper

    config = _config()
    if db:
        config = config.model_copy(update={"database_url": db})
    return Keeper(directory, config, **parts)


class _Bars:
    """Rich bars drawn from the API's progress calls (a small total shows none); `pause` is
    the kill -9 tests' slow-down, waited after every call."""

    def __init__(self, hide_below: int = 0, pause: float = 0.0, transient: bool = False) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.rich = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=transient,
        )
        self.hide_below = hide_below
        self.pause = pause
        self.tasks: dict[str, Any] = {}

    def __call__(self, step: Any) -> None:
        import time

        if step.total is None or step.total >= self.hide_below:
            if not self.tasks:
                self.rich.start()
            if step.task not in self.tasks:
                self.tasks[step.task] = self.rich.add_task(step.task, total=step.total)
            self.rich.update(self.tasks[step.task], completed=step.done)
        if self.pause:
            time.sleep(self.pause)

    def __enter__(self) -> _Bars:
        return self

    def __exit__(self, *exc: object) -> None:
        self.rich.stop()


DATABASE_AWAY_EXIT = 3
"""The exit status when the database cannot be reached (a supervisor restarts the worker)."""


def reported(command: Command) -> Command:
    """Turn PolicyKeeper errors into one line per problem and the contract's exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ProblemsFound as exc:
            for problem in exc.problems:
                print(str(problem), file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
        except PolicyKeeperError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            raise typer.Exit(130) from None
        except Exception as exc:
            from policykeeper.store.database import connection_lost

            if not connection_lost(exc):
                raise
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            print(f"error: the database cannot be reached: {first}", file=sys.stderr)
            raise typer.Exit(DATABASE_AWAY_EXIT) from None

    return wrapper  # type: ignore[return-value]


def emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        from policykeeper.output import write_atomic

        write_atomic(output, text)


class TextFormat(StrEnum):
    html = "html"
    md = "md"


@app.command()
@reported
def validate(
    directory: ProjectDir,
    provenance: Annotated[
        bool,
        typer.Option(
            "--provenance",
            help="Also print, for each drafted value, the source sentence it came from.",
        ),
    ] = False,
) -> None:
    """Check the declaration (and data map, if any) against each other and the law."""
    from policykeeper.review import review_project

    if provenance:
        from policykeeper.draft.provenance import cited_lines

        for line in cited_lines(directory):
            print(line)
    problems = review_project(directory)
    if any(p.severity != "warning" for p in problems):
        raise ProblemsFound(problems)
    for warning in problems:
        print(str(warning), file=sys.stderr)
    console.print(f"[green]ok[/green]: {directory} is valid")
    from policykeeper.engine.hashkey import hash_key_location

    where = hash_key_location(directory)
    if where:
        console.print(where, soft_wrap=True)


@app.command()
@reported
def schema() -> None:
    """Print the JSON Schema of policy.yaml, for editor completion."""
    from policykeeper.policy.models import Policy

    print(json.dumps(Policy.model_json_schema(), ensure_ascii=False, indent=2))


@app.command()
@reported
def render(
    directory: ProjectDir,
    lang: Annotated[str, typer.Option("--lang", help="Language of the policy: ja or en.")],
    format: Annotated[TextFormat, typer.Option("--format", help="html or md.")] = TextFormat.html,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here, atomically.")
    ] = None,
    published: Annotated[
        bool,
        typer.Option("--published", help="The version in force, as `publish` froze it."),
    ] = False,
    db: DatabaseUrl = None,
) -> None:
    """Render the privacy policy as a Japanese or English document."""
    if published:
        from policykeeper.lifecycle import published_text
        from policykeeper.workflow.service import utcnow

        emit(published_text(_store(directory, db), utcnow(), lang, format.value), output)
        return
    from policykeeper.policy.loading import load_policy
    from policykeeper.render import render_policy

    emit(render_policy(load_policy(directory), lang, format.value), output)


audit_app = typer.Typer(help="The request workflow's hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")

StateDir = Annotated[
    Path, typer.Argument(help="Project directory whose state store to use (default: here).")
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--db", help="State database URL (default: POLICYKEEPER_DATABASE_URL or DIR)."),
]


AuditKeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key", help="The audit key file (default: DIR/.policykeeper/audit.key).", dir_okay=False
    ),
]


def _audit_key(directory: Path, key: Path | None) -> bytes:
    """The key that chains the audit log: the file given, else the project's own."""
    from policykeeper.errors import InputError
    from policykeeper.store.database import STATE_DIR
    from policykeeper.workflow.audit import KEY_FILE, read_audit_key

    path = key or directory / STATE_DIR / KEY_FILE
    if not path.is_file():
        raise InputError(f"{path}: no audit key here (give --key FILE)")
    return read_audit_key(path)


@audit_app.command("verify")
@reported
def audit_verify(
    directory: StateDir = Path("."),
    db: DatabaseUrl = None,
    key: AuditKeyOption = None,
    anchor: Annotated[
        list[Path] | None,
        typer.Option("--anchor", help="A head saved by `audit head`; repeat for several."),
    ] = None,
) -> None:
    """Check every link of the keyed audit chain (and saved heads); name the first edited,
    inserted, deleted or re-chained entry."""
    from policykeeper.workflow.audit import verify_store

    kept = [_read_anchor(path) for path in anchor or []]
    report = verify_store(_state_url(directory, db), _audit_key(directory, key), kept)
    if not report.ok:
        print(f"audit log broken at entry {report.broken_at}: {report.reason}", file=sys.stderr)
        raise typer.Exit(1)
    console.print(f"[green]ok[/green]: {report.entries} audit entries, chain intact")


@audit_app.command("head")
@reported
def audit_head(
    directory: StateDir = Path("."),
    db: DatabaseUrl = None,
    key: AuditKeyOption = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here, atomically.")
    ] = None,
) -> None:
    """Print the chain's head (entry number and hash) as JSON, to keep outside the database;
    `audit verify --anchor FILE` later proves nothing up to it was rewritten."""
    from policykeeper.workflow.audit import store_anchor
    from policykeeper.workflow.service import utcnow

    head = store_anchor(_state_url(directory, db), _audit_key(directory, key), utcnow())
    emit(_json(head.to_json()), output)


@audit_app.command("rekey")
@reported
def audit_rekey(
    directory: StateDir = Path("."),
    db: DatabaseUrl = None,
    key: AuditKeyOption = None,
    anchor: Annotated[
        list[Path] | None,
        typer.Option("--anchor", help="A head saved before the upgrade; the old log must hold it."),
    ] = None,
) -> None:
    """Move a log written before the audit key onto the key, once, by the operator's choice
    (never on start: a database writer could clear the key mark to launder a rewrite)."""
    from policykeeper.store import default_url
    from policykeeper.workflow.audit import rekey_store
    from policykeeper.workflow.service import utcnow

    kept = [_read_anchor(path) for path in anchor or []]
    old = rekey_store(db or default_url(directory), _audit_key(directory, key), utcnow(), kept)
    if not old.ok:
        print(
            f"re-keyed, but the old log was broken at entry {old.broken_at}: {old.reason}",
            file=sys.stderr,
        )
        raise typer.Exit(1)
    console.print(f"[green]ok[/green]: {old.entries} audit entries re-keyed")


def _read_anchor(path: Path) -> Any:
    from policykeeper.errors import InputError
    from policykeeper.workflow.audit import Anchor

    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a saved audit head ({exc})") from None
    return Anchor.from_json(data, str(path))


IdentityOption = Annotated[
    str, typer.Option("--identity", help="KIND=VALUE, a kind the data map declares.")
]
IdentityColumnOption = Annotated[
    str, typer.Option("--identity", help="TABLE.COLUMN holding the person's identity.")
]
OutputOption = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write here, atomically.")
]


class ExportFormat(StrEnum):
    json = "json"
    zip = "zip"


def _engine_call(directory: Path, identity: str) -> tuple[Any, Any]:
    from policykeeper.engine import Identity

    return _keeper(directory).project, Identity.parse(identity)


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@app.command()
@reported
def init(
    directory: Annotated[Path, typer.Argument(help="Directory to create the project in.")],
    db: Annotated[str | None, typer.Option("--db", help="The service database URL.")] = None,
    identity: Annotated[
        str | None, typer.Option("--identity", help="TABLE.COLUMN holding the identity.")
    ] = None,
    sources: Annotated[
        list[str] | None,
        typer.Option(
            "--from",
            help="An existing policy (file or URL; text, Markdown or HTML) to draft policy.yaml "
            "from. Repeat for its Japanese and English versions.",
        ),
    ] = None,
    fides: Annotated[
        Path | None,
        typer.Option(
            "--from-fides",
            help="A Fides dataset YAML (references, identities) to draft datamap.yaml from, "
            "with --db.",
        ),
    ] = None,
) -> None:
    """Scaffold a project: a starter policy.yaml and, from a live database, a drafted datamap.yaml;
    or, with --from, policy.yaml drafted from the policy the company already has."""
    if sources:
        if db or identity or fides:
            raise InputError("give --from, or --db with --identity, not both")
        from policykeeper.draft import init_from

        draft = init_from(directory, sources)
        console.print(f"[green]wrote[/green] {draft.summary(directory)}")
        return
    from policykeeper.datamap.starter import init_project

    written = init_project(directory, db, identity, fides)
    console.print(f"[green]wrote[/green] {', '.join(str(p) for p in written)}")


@app.command()
@reported
def roundtrip(
    directory: ProjectDir,
    sources: Annotated[
        list[str], typer.Option("--from", help="The policy the draft was made from (repeatable).")
    ],
) -> None:
    """Compare the rendered policy with its source: facts lost, changed or added.
    Exit 1 when a fact changed or the rendering states a drafted value the source does not."""
    from policykeeper.draft.roundtrip import roundtrip_report
    from policykeeper.render import render_policy

    report = roundtrip_report(
        directory, sources, lambda policy, lang: render_policy(policy, lang, "md")
    )
    for line in report.lines:
        print(line)
    if not report.passed:
        raise typer.Exit(1)
    console.print(f"[green]ok[/green]: {report.summary}")


@app.command()
@reported
def discover(
    url: Annotated[str, typer.Argument(help="SQLAlchemy URL of the service database.")],
    identity: IdentityColumnOption,
    output: OutputOption = None,
) -> None:
    """Reflect a database and print a drafted data map: owned and reference tables, categories."""
    from policykeeper.datamap.discovery import discover_yaml

    emit(discover_yaml(url, identity), output)


@app.command()
@reported
def plan(directory: ProjectDir, identity: IdentityOption) -> None:
    """Show the tables, joins and rows, the stores, processor calls and manual tasks a request
    reaches, reading no personal data."""
    from policykeeper.engine import places

    emit(_json(places.plan(*_engine_call(directory, identity))), None)


@app.command()
@reported
def access(
    directory: ProjectDir,
    identity: IdentityOption,
    output: OutputOption = None,
    format: Annotated[
        ExportFormat, typer.Option("--format", help="json, or zip (one CSV per table + JSON).")
    ] = ExportFormat.json,
) -> None:
    """Export everything about one person, with purposes, recipients, retention and sources."""
    from policykeeper.engine import Identity
    from policykeeper.errors import InputError

    result = _keeper(directory).access(Identity.parse(identity))
    if format is ExportFormat.zip:
        if output is None:
            raise InputError("--format zip needs -o FILE")
        result.write_zip(output)
    else:
        emit(_json(result.to_json()), output)
    if output is not None:
        console.print(f"[green]wrote[/green] {output}")


@app.command()
@reported
def erase(
    directory: ProjectDir,
    identity: IdentityOption,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report only; change nothing.")
    ] = False,
    json_: Annotated[
        bool, typer.Option("--json", help="Print the full report, row by row, as JSON.")
    ] = False,
) -> None:
    """Erase one person everywhere: delete, mask or keep under a legal hold, in foreign-key-safe
    order, then in every store, processor and manual task of the data map."""
    from policykeeper.engine import Identity
    from policykeeper.engine.erase import summary

    keeper = _keeper(directory)
    with _Bars(hide_below=10000, pause=_config().slow_erase, transient=True) as bars:
        found = keeper.erase(Identity.parse(identity), dry_run=dry_run, progress=bars)
    report = found.to_json()
    if json_:
        emit(_json(report), None)
    else:
        lines = [summary(report)]
        lines += [
            f"{place['place']}: {place['status'].replace('_', ' ')}"
            for place in report.get("places", [])
            if place.get("kind") != "sql"
        ]
        emit("\n".join(lines), None)
    if report.get("pending"):
        console.print(f"not finished: {', '.join(report['pending'])}; run erase again to retry")
        raise typer.Exit(1)


@app.command()
@reported
def rectify(
    directory: ProjectDir,
    identity: IdentityOption,
    set_: Annotated[
        list[str], typer.Option("--set", help="NAME=VALUE; NAME is COLUMN or TABLE.COLUMN.")
    ],
) -> None:
    """Correct the person's data, each value checked against the column's type."""
    from policykeeper.engine import places
    from policykeeper.errors import InputError

    changes: dict[str, str] = {}
    for item in set_:
        name, separator, value = item.partition("=")
        if not separator or not name.strip():
            raise InputError(f"--set {item!r}: expected NAME=VALUE")
        changes[name.strip()] = value
    project, subject = _engine_call(directory, identity)
    report = places.rectify(project, subject, changes).to_json()
    emit(_json(report), None)
    if report.get("pending"):
        raise typer.Exit(1)


@app.command()
@reported
def restrict(
    directory: ProjectDir,
    identity: IdentityOption,
    lift: Annotated[bool, typer.Option("--lift", help="Lift the restriction.")] = False,
) -> None:
    """Restrict processing of one person's data (or lift it), in the app's flag and our record."""
    from policykeeper.engine import places

    report = places.restrict(*_engine_call(directory, identity), lift=lift).to_json()
    emit(_json(report), None)
    if report.get("pending"):
        raise typer.Exit(1)


@app.command()
@reported
def generate(
    directory: Annotated[
        Path, typer.Argument(help="Example project directory, e.g. examples/ainema.")
    ],
    users: Annotated[int, typer.Option("--users", min=1, help="How many people.")] = 1000,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL (default: the data map's).")
    ] = None,
    example: Annotated[
        str | None,
        typer.Option("--example", help="ainema, jasminai or audiostock (default: DIR's name)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    places: Annotated[
        bool,
        typer.Option("--places", help="Also fill the configured stores (S3, Redis, files)."),
    ] = False,
) -> None:
    """Create an example service's schema and fill it with synthetic people (ja_JP and en)."""
    from policykeeper.examples.generation import generate_for_project

    counts = generate_for_project(directory, db, users, example=example, seed=seed)
    console.print(
        f"[green]generated[/green] {sum(counts.values())} rows: "
        + ", ".join(f"{table} {n}" for table, n in counts.items())
    )
    if places:
        from policykeeper.examples.places import seed_places

        filled = seed_places(_keeper(directory).project)
        console.print(
            "[green]filled[/green] "
            + (", ".join(f"{store} {n}" for store, n in filled.items()) or "no configured store")
        )


@app.command()
@reported
def serve(
    directory: ProjectDir,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    db: DatabaseUrl = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="Address of a reverse proxy whose X-Forwarded-For is believed (repeat; "
            "default: none, every limit counts the connecting address).",
        ),
    ] = None,
) -> None:
    """Serve the privacy center, the admin console and the JSON API, with the worker beside it."""
    import uvicorn

    from policykeeper.web.app import app_for

    keeper = _keeper(directory, db)
    keeper.settle()
    uvicorn.run(app_for(keeper), host=host, port=port, **_proxy(trusted_proxy))


def _proxy(trusted: list[str] | None) -> dict[str, Any]:
    """uvicorn believes X-Forwarded-For from 127.0.0.1 (or FORWARDED_ALLOW_IPS) by default:
    any local process or tunnel could then pick the address the rate limits count. Only the
    proxies named on the command line are believed."""
    if not trusted:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": list(trusted)}


@app.command()
@reported
def demo(
    directory: Annotated[
        Path, typer.Argument(help="Example project (default: examples/ainema).")
    ] = Path("examples/ainema"),
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
) -> None:
    """Serve an example with synthetic data, a demo admin and an outbox page instead of SMTP."""
    import uvicorn

    from policykeeper.web.demo import demo_app

    shown = demo_app(directory, host=host, port=port)
    if shown.generated:
        console.print(f"generated {sum(shown.generated.values())} rows of synthetic data")
    console.print(
        f"\n[bold]Privacy center[/bold]  {shown.base_url}/\n"
        f"[bold]Admin console[/bold]   {shown.base_url}/admin  "
        f"(user [bold]{shown.username}[/bold], password [bold]{shown.password or '(unchanged)'}[/bold])\n"
        f"[bold]Outbox[/bold]          {shown.base_url}/outbox  (emails are kept here, not sent)\n"
        f"[bold]JSON API[/bold]        {shown.base_url}/docs\n",
        soft_wrap=True,
    )
    uvicorn.run(shown.app, host=host, port=port, log_level="warning", **_proxy(None))


@app.command()
@reported
def worker(
    directory: ProjectDir,
    db: DatabaseUrl = None,
    lease: Annotated[
        float, typer.Option("--lease", min=1, help="Seconds before a dead worker's job is retaken.")
    ] = 300,
    stalled_after: Annotated[
        float, typer.Option("--stalled-after", min=1, help="PostgreSQL: heartbeat timeout.")
    ] = 30,
    give_up_after: Annotated[
        float,
        typer.Option(
            "--give-up-after",
            min=1,
            help="Seconds without the database before the worker exits (status 3) to be restarted.",
        ),
    ] = 300,
) -> None:
    """Run request execution, notifications and purges; on PostgreSQL, as one of many workers.
    It reconnects after a database outage and exits non-zero when it cannot."""
    import signal
    import threading
    from datetime import timedelta

    from policykeeper.jobs.runner import Patience
    from policykeeper.workflow.settings import WorkflowSettings

    settings = WorkflowSettings.from_config(_config(), job_lease=timedelta(seconds=lease))
    keeper = _keeper(
        directory, db, settings=settings, patience=Patience(give_up_after=give_up_after)
    )
    _log_in_one_line()
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    keeper.settle()
    console.print(f"worker started on {'PostgreSQL' if keeper.store.postgres else 'SQLite'}")
    keeper.run_worker(stop, stalled_after=stalled_after)


class _OneLineFormatter(logging.Formatter):
    """A log record as one line: what failed, never a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_info = record.exc_text = record.stack_info = None
        lines = super().format(record).splitlines()
        return lines[0] if lines else ""


def _log_in_one_line() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)


staff_app = typer.Typer(help="Staff accounts for the admin console and API.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


@staff_app.command("add")
@reported
def staff_add(
    directory: ProjectDir,
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option("--role", help="viewer, handler or admin.")] = "viewer",
    db: DatabaseUrl = None,
) -> None:
    """Create a staff account; the password is read from the prompt (or POLICYKEEPER_PASSWORD)."""
    import os

    keeper = _keeper(directory, db)
    password = os.environ.get("POLICYKEEPER_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        keeper.add_staff(username, password, role, actor="cli")
    finally:
        keeper.close()
    console.print(f"[green]added[/green] {username} ({role})")


retention_app = typer.Typer(
    help="Retention: declared periods enforced on the service's databases.", no_args_is_help=True
)
app.add_typer(retention_app, name="retention")
hold_app = typer.Typer(
    help="Legal holds: pause deletion of a person or a record.", no_args_is_help=True
)
retention_app.add_typer(hold_app, name="hold")
NowOption = Annotated[
    str | None, typer.Option("--now", help="Run as if at this ISO datetime (UTC if no zone).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the JSON report.")]


def _now(text: str | None) -> Any:
    from datetime import datetime

    from policykeeper.errors import InputError

    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"--now {text!r}: expected an ISO datetime, e.g. 2027-01-31T03:00"
        ) from None


@retention_app.command("plan")
@reported
def retention_plan(directory: ProjectDir, now: NowOption = None, json_: JsonOption = False) -> None:
    """Per rule: rows due now, rows held, and when the next ones become due. Changes nothing."""
    from policykeeper.retention import retention_plan as plan_retention
    from policykeeper.retention.groups import kept_lines
    from policykeeper.retention.render import plan_table

    result = plan_retention(_keeper(directory).project, _now(now))
    if json_:
        emit(_json(result.to_json()), None)
    else:
        Console().print(plan_table(result))
        for item in result.sweeps:
            decided = [k for k in item.kept_for if k.decided]
            for line in kept_lines(
                item.sweep.table, item.sweep.rule.id, decided, item.waiting_with
            ):
                console.print(f"kept: {line}")
    for problem in result.problems:
        console.print(f"[yellow]warning[/yellow]: {problem}")


@retention_app.command("run")
@reported
def retention_run(
    directory: ProjectDir,
    now: NowOption = None,
    json_: JsonOption = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Rows per transaction.")
    ] = 5000,
    notice_days: Annotated[
        int | None,
        typer.Option("--notice-days", min=1, help="Notice before inactive-account deletion."),
    ] = None,
) -> None:
    """Apply every bound rule: delete or anonymize what is due, in short batches; resumable."""
    from policykeeper.retention.groups import kept_lines

    keeper = _keeper(directory)
    with _Bars(pause=_config().slow_retention) as bars:
        report = keeper.sweep(
            _now(now), batch_size=batch_size, notice_days=notice_days, progress=bars
        )
    if json_:
        emit(_json(report.to_json()), None)
    totals = report.totals()
    console.print(
        f"deleted {totals['deleted']}, anonymized {totals['anonymized']}, "
        f"accounts erased {totals['accounts_erased']}, held {totals['skipped_legal_hold']}, "
        f"kept for others {totals['kept_for_others']} (masked {totals['masked_kept']}), "
        f"notices {totals['notices_sent']}; longest batch {totals['max_batch_seconds']} s"
    )
    for sweep in report.sweeps:
        decided = [k for k in sweep.kept_for if k.decided]
        for line in kept_lines(sweep.table, sweep.rule, decided):
            console.print(f"kept: {line}")
    for problem in report.problems:
        console.print(f"[yellow]warning[/yellow]: {problem}")


@retention_app.command("schedule")
@reported
def retention_schedule(directory: ProjectDir, db: DatabaseUrl = None) -> None:
    """Queue the daily sweep job (03:00 UTC) for the worker; each run queues the next."""
    keeper = _keeper(directory, db)
    try:
        job = keeper.schedule_retention()
    finally:
        keeper.close()
    when = f"for {job.run_after:%Y-%m-%d %H:%M} UTC" if job else "already queued"
    console.print(f"[green]daily retention sweep[/green] {when}")


@hold_app.command("add")
@reported
def hold_add(
    directory: ProjectDir,
    reason: Annotated[str, typer.Option("--reason", help="Why: litigation, investigation.")],
    identity: Annotated[
        str | None, typer.Option("--identity", help="Hold a person: KIND=VALUE.")
    ] = None,
    table: Annotated[str | None, typer.Option("--table", help="Hold a record: its table.")] = None,
    key: Annotated[
        list[str] | None, typer.Option("--key", help="The record's primary key (once per column).")
    ] = None,
) -> None:
    """Put a person or one record under a legal hold: never swept, never erased."""
    from policykeeper.engine import Identity
    from policykeeper.retention import add_hold

    who = Identity.parse(identity) if identity else None
    hold = add_hold(_keeper(directory).project, reason=reason, identity=who, table=table, key=key)
    console.print(f"[green]hold {hold.id}[/green]: {hold.target}")


@hold_app.command("list")
@reported
def hold_list(
    directory: ProjectDir,
    released: Annotated[bool, typer.Option("--released", help="Include released holds.")] = False,
    json_: JsonOption = False,
) -> None:
    """List legal holds."""
    from policykeeper.retention import list_holds

    holds = list_holds(_keeper(directory).project, released=released)
    if json_:
        emit(_json({"holds": [h.to_json() for h in holds]}), None)
        return
    for hold in holds:
        state = f"released {hold.released_at:%Y-%m-%d}" if hold.released_at else "active"
        print(f"{hold.id}\t{state}\t{hold.target}\t{hold.reason}")


@hold_app.command("release")
@reported
def hold_release(
    directory: ProjectDir, hold_id: Annotated[int, typer.Argument(help="The hold's id.")]
) -> None:
    """Release a legal hold; its rows are swept again when due."""
    from policykeeper.retention import release_hold

    hold = release_hold(_keeper(directory).project, hold_id)
    console.print(f"[green]released[/green] hold {hold.id}: {hold.target}")


consent_app = typer.Typer(
    help="Consent: the ledger, the runtime check and re-consent.", no_args_is_help=True
)
app.add_typer(consent_app, name="consent")
SubjectOption = Annotated[
    str, typer.Option("--subject", help="KIND=VALUE (e.g. user_id=42) or a device id.")
]


def _consent(directory: Path, db: str | None) -> Any:
    return _keeper(directory, db).consent


@consent_app.command("items")
@reported
def consent_items(directory: ProjectDir) -> None:
    """What the declaration makes consentable: mechanism, banner, GPC coverage, withdrawal."""
    emit(_json(_keeper(directory).consent_items()), None)


@consent_app.command("allowed")
@reported
def consent_allowed(
    directory: ProjectDir,
    subject: SubjectOption,
    purpose: Annotated[str, typer.Option("--purpose", help="A declared purpose id.")],
    gpc: Annotated[bool, typer.Option("--gpc", help="As if the request sent Sec-GPC: 1.")] = False,
    db: DatabaseUrl = None,
) -> None:
    """Print whether the service may process the subject's data for the purpose now."""
    service = _consent(directory, db)
    answer = service.allowed(subject, purpose, signal=gpc and service.rules.gpc)
    emit(_json({"subject": subject, "purpose": purpose, "allowed": answer}), None)


@consent_app.command("record")
@reported
def consent_record(
    directory: ProjectDir,
    subject: SubjectOption,
    purpose: Annotated[list[str], typer.Option("--purpose", help="Purpose id; repeatable.")],
    withdraw: Annotated[bool, typer.Option("--withdraw", help="Withdraw instead of give.")] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language the text was shown in.")] = "en",
    email: Annotated[
        str | None, typer.Option("--email", help="The account's email, for withdrawal effects.")
    ] = None,
    db: DatabaseUrl = None,
) -> None:
    """Record consent given (or withdrawn) through the service's own channel (source 'api')."""
    outcome = _consent(directory, db).choose_for_subject(
        subject, dict.fromkeys(purpose, not withdraw), source="api", language=lang, email=email
    )
    emit(_json(outcome.to_json()), None)


@consent_app.command("export")
@reported
def consent_export_command(
    directory: ProjectDir,
    subject: SubjectOption,
    output: OutputOption = None,
    db: DatabaseUrl = None,
) -> None:
    """Every consent record of the subject with the text shown: the proof of consent."""
    emit(_json({"subject": subject, "records": _consent(directory, db).export(subject)}), output)


@consent_app.command("reconsent")
@reported
def consent_reconsent(
    old: Annotated[Path, typer.Argument(help="Project directory with the earlier policy.")],
    new: Annotated[Path, typer.Argument(help="Project directory with the new policy.")],
) -> None:
    """Purposes whose opt-in consent must be asked again, and what changed in each."""
    from policykeeper.consent.reconsent import reconsent_diff
    from policykeeper.policy.loading import load_policy

    emit(_json(reconsent_diff(load_policy(old), load_policy(new))), None)


# --- promise checks (issue 14) ----------------------------------------------------------


@app.command()
@reported
def check(
    directory: ProjectDir,
    site: Annotated[
        str | None, typer.Option("--site", help="The service's site to scan in Chromium.")
    ] = None,
    pages: Annotated[
        Path | None,
        typer.Option("--pages", help="YAML: pages to scan and what the policy calls each host."),
    ] = None,
    json_: JsonOption = False,
    output: OutputOption = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the standalone HTML report here.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the HTML report.")] = "ja",
    no_data: Annotated[bool, typer.Option("--no-data", help="Skip the database scan.")] = False,
    sample: Annotated[
        int, typer.Option("--sample", min=1, max=10000, help="Values sampled per column.")
    ] = 200,
    now: NowOption = None,
    db: DatabaseUrl = None,
    schedule_: Annotated[
        bool,
        typer.Option("--schedule", help="Instead: queue the daily run for the worker (04:00 UTC)."),
    ] = False,
    notify: Annotated[
        list[str] | None,
        typer.Option("--notify", help="With --schedule: staff email for checks turning red."),
    ] = None,
) -> None:
    """Hold the published policy against the running service; exit 1 when a promise is broken."""
    from policykeeper.checks.cli import check_command

    with console.status("promise checks") as status:
        result = check_command(
            directory,
            site=site,
            pages=pages,
            data=not no_data,
            sample=sample,
            now=_now(now),
            store_url=_state_url(directory, db),
            schedule=schedule_,
            notify=notify or [],
            output=output,
            html=html,
            lang=lang,
            as_json=json_,
            progress=lambda what: status.update(f"promise checks: {what}"),
        )
    if result.text:
        emit(result.text, None)
    for line in result.lines:
        console.print(line, soft_wrap=True, markup=False, highlight=False)
    raise typer.Exit(result.exit_code)


cookies_app = typer.Typer(
    help="The Open Cookie Database shipped for naming unknown cookies.", no_args_is_help=True
)
app.add_typer(cookies_app, name="cookie-catalogue")


@cookies_app.command("refresh")
@reported
def cookie_catalogue_refresh(
    package: Annotated[
        str | None, typer.Option("--package", help="npm package (or folder) carrying it.")
    ] = None,
) -> None:
    """Replace the shipped catalogue with the newest copy from its npm package."""
    from policykeeper.checks.catalogue import refresh_catalogue

    done = refresh_catalogue(package)
    state = "updated" if done.changed else "unchanged"
    console.print(
        f"[green]{state}[/green]: {done.entries} cookies from {done.package}@{done.version}"
    )


# --- the duties around the policy: versions and notices, incidents, provision records, ROPA ---

versions_app = typer.Typer(
    help="Published policy versions and their differences.", no_args_is_help=True
)
app.add_typer(versions_app, name="versions")
incident_app = typer.Typer(help="The leak register (漏えい等).", no_args_is_help=True)
app.add_typer(incident_app, name="incident")
provision_app = typer.Typer(
    help="Third-party provision records (APPI Arts. 29 and 30).", no_args_is_help=True
)
app.add_typer(provision_app, name="provision")
FileOption = Annotated[Path, typer.Option("--file", help="A YAML or JSON file describing it.")]


def _store(directory: Path, db: str | None) -> Any:
    from policykeeper.policy.loading import project_directory
    from policykeeper.store import migrated_store
    from policykeeper.store.database import STATE_DIR
    from policykeeper.workflow.audit import load_audit_key

    project = project_directory(directory)
    key = load_audit_key(project / STATE_DIR)
    return migrated_store(_state_url(project, db), audit_key=key)


def _described(model: Any, path: Path) -> Any:
    """A model from a YAML or JSON file, or every problem in it located by line."""
    from policykeeper.policy.loading import parse_model
    from policykeeper.policy.source import read_yaml

    parsed, problems = parse_model(model, read_yaml(path))
    if problems:
        raise ProblemsFound(problems)
    return parsed


@app.command()
@reported
def publish(
    directory: ProjectDir,
    effective: Annotated[str, typer.Option("--effective", help="Effective date, YYYY-MM-DD.")],
    db: DatabaseUrl = None,
    pace: Annotated[
        float, typer.Option("--pace", min=0.01, help="Notice emails per second.")
    ] = 10.0,
) -> None:
    """Freeze policy.yaml as the next version; a change needing notice queues the emails."""
    from datetime import date

    from policykeeper.errors import InputError
    from policykeeper.lifecycle import publish_project
    from policykeeper.workflow.service import utcnow

    try:
        day = date.fromisoformat(effective)
    except ValueError:
        raise InputError(f"--effective {effective!r}: expected a date, e.g. 2026-06-01") from None
    done = publish_project(
        directory,
        _store(directory, db),
        day,
        now=utcnow(),
        actor="cli",
        base_url=_config().base_url,
        pace=pace,
    )
    console.print(
        f"[green]published[/green] version {done.number} ({done.label}), in force from "
        f"{done.effective_date.isoformat()}; {len(done.changes)} changes"
        + (", material" if done.material else ""),
        soft_wrap=True,
    )
    if done.mailing_id:
        console.print(
            f"notice to account holders queued ({done.notice_days} days' notice); "
            "the worker sends it (policykeeper worker DIR, or serve)",
            soft_wrap=True,
        )


@versions_app.command("list")
@reported
def versions_list(directory: ProjectDir, db: DatabaseUrl = None, json_: JsonOption = False) -> None:
    """Every published version: number, label, effective date, material, notice progress."""
    from policykeeper.lifecycle import list_versions
    from policykeeper.records.mailings import get_mailing

    store = _store(directory, db)
    rows = []
    for version in list_versions(store):
        mailing = get_mailing(store, version.mailing_id) if version.mailing_id else None
        rows.append(
            {
                "version": version.number,
                "label": version.label,
                "effective_date": version.effective_date.isoformat(),
                "material": version.material,
                "changes": len(version.changes),
                "notice": {
                    "state": mailing.state,
                    "sent": mailing.sent,
                    "failed": mailing.failed,
                    "total": mailing.total,
                }
                if mailing
                else None,
            }
        )
    if json_:
        emit(_json({"versions": rows}), None)
        return
    for row in rows:
        material = "material" if row["material"] else ""
        notice = row["notice"]
        progress = f"notice {notice['state']} {notice['sent']}/{notice['total']}" if notice else ""
        print(f"{row['version']}\t{row['label']}\t{row['effective_date']}\t{material}\t{progress}")


@versions_app.command("diff")
@reported
def versions_diff(
    directory: ProjectDir,
    older: Annotated[int, typer.Argument(help="One version number.")],
    newer: Annotated[int, typer.Argument(help="Another version number.")],
    lang: Annotated[str, typer.Option("--lang", help="ja or en.")] = "en",
    db: DatabaseUrl = None,
) -> None:
    """What changed between two versions, in the declaration's terms; material ones first."""
    from policykeeper.errors import InputError
    from policykeeper.lifecycle import changes_between, describe

    if lang not in ("ja", "en"):
        raise InputError(f"--lang {lang!r}: use ja or en")
    for change in changes_between(_store(directory, db), older, newer):
        print(("* " if change.material else "  ") + describe(change, lang))


@versions_app.command("show")
@reported
def versions_show(
    directory: ProjectDir,
    lang: Annotated[str, typer.Option("--lang", help="ja or en.")],
    number: Annotated[
        int | None, typer.Argument(help="A version number (default: the one in force).")
    ] = None,
    format: Annotated[TextFormat, typer.Option("--format", help="html or md.")] = TextFormat.html,
    output: OutputOption = None,
    db: DatabaseUrl = None,
) -> None:
    """The text of a version exactly as published: by default the one in force today."""
    from policykeeper.lifecycle import published_text
    from policykeeper.workflow.service import utcnow

    emit(published_text(_store(directory, db), utcnow(), lang, format.value, number), output)


@incident_app.command("record")
@reported
def incident_record(directory: ProjectDir, file: FileOption, db: DatabaseUrl = None) -> None:
    """Record an incident: count the people and data through the data map, start the clocks."""
    from policykeeper.records.incidents import NewIncident, record_incident
    from policykeeper.workflow.service import utcnow

    incident = record_incident(
        _keeper(directory).project,
        _store(directory, db),
        _described(NewIncident, file),
        now=utcnow(),
        actor="cli",
    )
    reasons = ", ".join(incident.assessment["appi"]["reasons"]) or "none"
    console.print(
        f"[green]incident {incident.id}[/green]: {incident.persons} people"
        + (f" (+{incident.persons_elsewhere} elsewhere)" if incident.persons_elsewhere else "")
        + f"; APPI reportable: {'yes' if incident.appi_reportable else 'no'} ({reasons})",
        soft_wrap=True,
    )
    for stage, due in (
        ("preliminary", incident.preliminary_due),
        ("final", incident.final_due),
        ("gdpr", incident.gdpr_due),
    ):
        if due is not None:
            console.print(f"  {stage} report due {due.isoformat()}")


@incident_app.command("list")
@reported
def incident_list(directory: ProjectDir, db: DatabaseUrl = None) -> None:
    """Incidents, newest first: id, state, people, reportable, next deadline."""
    from policykeeper.records.incidents import list_incidents

    for incident in list_incidents(_store(directory, db)):
        dues = [
            d
            for d, done in (
                (incident.preliminary_due, incident.preliminary_reported_at),
                (incident.final_due, incident.final_reported_at),
                (incident.gdpr_due, incident.gdpr_notified_at),
            )
            if d is not None and done is None
        ]
        next_due = min(dues).isoformat() if dues else "-"
        reportable = "reportable" if incident.appi_reportable else "-"
        print(f"{incident.id}\t{incident.state}\t{incident.persons}\t{reportable}\t{next_due}")


@incident_app.command("report")
@reported
def incident_report(
    directory: ProjectDir,
    incident_id: Annotated[str, typer.Argument(help="The incident's id.")],
    stage: Annotated[str, typer.Option("--stage", help="preliminary or final.")] = "preliminary",
    db: DatabaseUrl = None,
) -> None:
    """The report to the Commission, field by field in Japanese, ready to copy into its form."""
    from policykeeper.errors import InputError
    from policykeeper.policy.loading import load_policy
    from policykeeper.records.incidents import get_incident
    from policykeeper.records.mailings import get_mailing
    from policykeeper.records.ppc import STAGES, as_text, ppc_report

    if stage not in STAGES:
        raise InputError(f"--stage {stage!r}: use preliminary or final")
    store = _store(directory, db)
    incident = get_incident(store, incident_id)
    mailing = get_mailing(store, incident.mailing_id) if incident.mailing_id else None
    emit(as_text(ppc_report(load_policy(directory), incident, mailing, stage)), None)


@provision_app.command("record")
@reported
def provision_record(directory: ProjectDir, file: FileOption, db: DatabaseUrl = None) -> None:
    """Record a provision to a declared third-party recipient (one, or a recurring one)."""
    from policykeeper.records.provisions import NewProvision, record_provision
    from policykeeper.workflow.service import utcnow

    record = record_provision(
        _keeper(directory).project,
        _store(directory, db),
        _described(NewProvision, file),
        now=utcnow(),
        actor="cli",
    )
    console.print(
        f"[green]recorded[/green] {record.id}: {record.counterparty_name}, kept until "
        f"{record.purge_after.date().isoformat()}",
        soft_wrap=True,
    )


@provision_app.command("list")
@reported
def provision_list(
    directory: ProjectDir,
    identity: Annotated[
        str | None, typer.Option("--identity", help="Only this person: KIND=VALUE.")
    ] = None,
    db: DatabaseUrl = None,
) -> None:
    """Provision records, newest first, as JSON."""
    from policykeeper.records.provisions import list_provisions
    from policykeeper.store.provision_export import provision_export

    store = _store(directory, db)
    if identity is not None:
        emit(_json({"records": provision_export(store, [identity])}), None)
        return
    records = [
        {
            "id": r.id,
            "direction": r.direction,
            "date": r.first_at.isoformat(),
            "counterparty": r.counterparty_name,
            "items": [item["key"] for item in r.items],
            "basis": r.basis,
            "kept_until": r.purge_after.isoformat(),
        }
        for r in list_provisions(store)
    ]
    emit(_json({"records": records}), None)


class RopaFormat(StrEnum):
    html = "html"
    csv = "csv"


@app.command()
@reported
def ropa(
    directory: ProjectDir,
    lang: Annotated[str, typer.Option("--lang", help="ja or en.")],
    format: Annotated[RopaFormat, typer.Option("--format", help="html or csv.")] = RopaFormat.html,
    output: OutputOption = None,
) -> None:
    """The record of processing activities (GDPR Art. 30) from the declaration and data map."""
    from datetime import date

    from policykeeper.datamap.loading import datamap_path, load_datamap
    from policykeeper.policy.loading import load_policy
    from policykeeper.records.ropa import render_ropa

    policy = load_policy(directory)
    datamap = load_datamap(directory, policy) if datamap_path(Path(directory)).is_file() else None
    emit(render_ropa(policy, datamap, lang, format.value, date.today()), output)


def main() -> None:
    """Console entry point: usage errors become one line and exit 2, as the contract says."""
    try:
        result = app(standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            print(exc.format_message(), file=sys.stderr)
            sys.exit(exc.exit_code)
        context = getattr(exc, "ctx", None)
        where = f"{context.command_path}: " if context is not None else ""
        print(f"error: {where}{exc.format_message()}", file=sys.stderr)
        sys.exit(exc.exit_code)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
