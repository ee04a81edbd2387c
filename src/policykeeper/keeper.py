"""The composition root: one `Keeper` per process owns configuration and state.

`Keeper(directory, config)` is built once (by the command line from the environment and its
flags, by `serve` and the worker once per process, or by a Python user in code). It loads the
project once and again only when its files change, opens the store once, and hands the same
store, clock, mailer and secrets to the workflow, staff accounts, consent and the job worker.
Nothing below it reads the environment or builds these for itself.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from policykeeper.config import Config
from policykeeper.consent.catalog import Catalog
from policykeeper.consent.export import with_consent_records
from policykeeper.consent.service import ConsentService
from policykeeper.datamap.loading import datamap_path
from policykeeper.engine.identity import Identity
from policykeeper.engine.places.run import PlacesAccess, PlacesReport
from policykeeper.engine.places.run import access as access_places
from policykeeper.engine.places.run import erase as erase_places
from policykeeper.engine.runtime import refresh, release, runtime
from policykeeper.errors import InputError, PolicyKeeperError
from policykeeper.job_handlers import JOB_HANDLERS
from policykeeper.jobs.runner import (
    Heartbeat,
    Patience,
    run_shared_worker,
    run_worker,
    start_worker,
)
from policykeeper.jobs.worker import Worker
from policykeeper.policy.loading import POLICY_FILE, load_policy
from policykeeper.policy.models import Policy
from policykeeper.progress import Progress
from policykeeper.project import Project, load_project
from policykeeper.retention.batches import DEFAULT_BATCH
from policykeeper.retention.cli import run_command
from policykeeper.retention.run import RunReport
from policykeeper.retention.schedule import schedule as schedule_sweep
from policykeeper.store import Store, default_url, migrate
from policykeeper.store.database import STATE_DIR
from policykeeper.store.models import Job
from policykeeper.workflow.audit import ensure_keyed, load_audit_key
from policykeeper.workflow.mail import Mailer, SmtpMailer
from policykeeper.workflow.service import Workflow, utcnow
from policykeeper.workflow.settings import WorkflowSettings
from policykeeper.workflow.staff import Role, StaffDirectory, StaffMember
from policykeeper.workflow.tokens import Secrets, load_secret_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Readiness:
    ready: bool
    database: bool
    worker: str


class Keeper:
    """A project's PolicyKeeper: `Keeper("examples/ainema", Config(database_url=...))`.

    `mailer`, `settings`, `clock` and the keys default to what `config` describes; tests and
    embedders pass their own.
    """

    def __init__(
        self,
        directory: Path | str,
        config: Config | None = None,
        *,
        mailer: Mailer | None = None,
        settings: WorkflowSettings | None = None,
        clock: Callable[[], datetime] = utcnow,
        secret_key: bytes | None = None,
        audit_key: bytes | None = None,
        patience: Patience | None = None,
        worker_stale_after: float = 60.0,
        schema_every: float = 1.0,
    ) -> None:
        self.directory = Path(directory)
        self.config = config or Config()
        self.clock = clock
        self.mailer: Mailer = mailer or SmtpMailer.from_config(self.config)
        self.settings = settings or WorkflowSettings.from_config(self.config)
        self._secret_key = secret_key
        self._audit_key = audit_key
        self._project: Project | None = None
        self._stamp: tuple[float, ...] = ()
        self._lock = threading.Lock()
        self.heartbeat = Heartbeat()
        """Beaten by this process's worker whenever it reached the database (`/readyz`)."""
        self.patience = patience or Patience()
        self.worker_stale_after = worker_stale_after
        self.schema_every = schema_every
        """Seconds between two looks at the databases' schemas (`live_project`)."""
        self._schema_seen: tuple[Project, float] | None = None
        self.worker_running = False
        self.cache: dict[object, object] = {}
        """What the shells build once per process (the center's rendered policy)."""

    @property
    def state_url(self) -> str:
        """PolicyKeeper's own store: the configured URL, else the project's SQLite file."""
        return self.config.database_url or default_url(self.directory)

    @property
    def project(self) -> Project:
        """The policy and data map, loaded once and again only after either file changed."""
        stamp = _stamp(self.directory)
        with self._lock:
            if self._project is None or stamp != self._stamp:
                if self._project is not None:
                    release(self._project)
                self._project = load_project(self.directory, state_url=self.state_url)
                self._stamp = stamp
            return self._project

    def live_project(self) -> Project:
        """The project for a request or a sweep: `project`, with each database's schema
        checked (one catalog query per connection) and reflected again where a table changed
        since, so a migration never leaves the engine working from an old schema. The check
        runs at most once per `schema_every` seconds: requests in a burst share one."""
        project = self.project
        now = time.monotonic()
        with self._lock:
            seen = self._schema_seen
            due = seen is None or seen[0] is not project or now - seen[1] >= self.schema_every
            if due:
                self._schema_seen = (project, now)
        if due:
            refresh(project)
        return project

    def settle(self) -> None:
        """Ready a long-lived process (`serve`, `worker`) before its first request: open the
        store, load the project and reflect its databases, then set all of it aside from the
        garbage collector (`gc.freeze`). A full collection otherwise walks every reflected
        table, model and module the process keeps for good, pausing whatever request it
        interrupts for 100 ms and more. A database out of reach now is reflected later."""
        _ = self.workflow  # built now: the store, the policy, the workflow
        try:
            runtime(self.live_project())
        except (PolicyKeeperError, sa.exc.SQLAlchemyError) as exc:
            log.warning("the project's databases were not reflected at start: %s", exc)
        gc.collect()
        gc.freeze()

    @cached_property
    def secrets(self) -> Secrets:
        configured = self.config.secret_key.encode() if self.config.secret_key else None
        key = self._secret_key or configured or load_secret_key(self.directory / STATE_DIR)
        return Secrets(key)

    @cached_property
    def store(self) -> Store:
        """Migrated once per process; every part shares its connection pool."""
        migrate(self.state_url)
        key = self._audit_key or load_audit_key(self.directory / STATE_DIR)
        store = Store(self.state_url, audit_key=key)
        ensure_keyed(store)
        return store

    @cached_property
    def policy(self) -> Policy:
        """The declaration the workflow and consent serve (read once per Keeper)."""
        return load_policy(self.directory)

    @cached_property
    def workflow(self) -> Workflow:
        return Workflow(
            self.store,
            self.policy,
            secrets=self.secrets,
            mailer=self.mailer,
            settings=self.settings,
            clock=self.clock,
            project_dir=self.directory,
            export_additions=(with_consent_records,),
            project_source=self.live_project,
        )

    @cached_property
    def staff(self) -> StaffDirectory:
        return StaffDirectory(self.store, self.clock, self.settings, self.secrets)

    @cached_property
    def consent(self) -> ConsentService:
        return ConsentService.for_workflow(self.workflow)

    handlers = JOB_HANDLERS
    """What the worker runs, per job kind."""

    def worker(self) -> Worker:
        return Worker(self.workflow, self.handlers)

    def start_worker(self, stop: threading.Event) -> threading.Thread:
        """The job worker in a thread beside the server, until `stop` is set."""
        self.worker_running = True
        return start_worker(self.workflow, self.handlers, stop, self.heartbeat, self.patience)

    def run_worker(self, stop: threading.Event, *, stalled_after: float = 30.0) -> None:
        """The job worker in this thread until `stop` is set; `WorkerGaveUp` when the
        database stayed away longer than `patience.give_up_after`."""
        self.worker_running = True
        if self.store.postgres:
            run_shared_worker(
                self.workflow,
                self.handlers,
                stop,
                self.heartbeat,
                self.patience,
                stalled_after=stalled_after,
            )
        else:
            run_worker(self.workflow, self.handlers, stop, 1.0, self.heartbeat, self.patience)

    def readiness(self) -> Readiness:
        """What `/readyz` reports: the database reachable, this process's worker beating."""
        database = self.store.reachable()
        age = self.heartbeat.age()
        if not self.worker_running:
            worker = "not run by this process"
            fresh = True
        elif self.heartbeat.stopped:
            worker, fresh = f"stopped: {self.heartbeat.stopped}", False
        elif age is None or age > self.worker_stale_after:
            worker, fresh = (
                "no heartbeat" if age is None else f"last heartbeat {age:.0f} s ago",
                False,
            )
        else:
            worker, fresh = f"last heartbeat {age:.0f} s ago", True
        return Readiness(database and fresh, database, worker)

    def access(self, identity: Identity) -> PlacesAccess:
        """Everything about one person, from every place of the data map."""
        return access_places(self.live_project(), identity)

    def sweep(
        self,
        now: datetime | None = None,
        *,
        batch_size: int = DEFAULT_BATCH,
        notice_days: int | None = None,
        progress: Progress | None = None,
    ) -> RunReport:
        """Apply every bound retention rule now (resumable); the mailer sends the notices."""
        return run_command(self.live_project(), now, batch_size, notice_days, self.mailer, progress)

    def erase(
        self, identity: Identity, *, dry_run: bool = False, progress: Progress | None = None
    ) -> PlacesReport:
        """Erase one person everywhere the data map says their data lives."""
        return erase_places(self.live_project(), identity, dry_run=dry_run, progress=progress)

    def add_staff(
        self, username: str, password: str, role: str = "viewer", *, actor: str = "api"
    ) -> StaffMember:
        """A new staff account for the console and API (viewer, handler or admin)."""
        if role not in Role.__members__:
            raise InputError(f"role must be viewer, handler or admin, not {role!r}")
        return self.staff.create(username, password, role, actor=actor)

    def schedule_retention(self) -> Job | None:
        """Queue the daily retention sweep for the worker; None when one is already queued."""
        with self.store.transaction() as session:
            return schedule_sweep(session, self.clock())

    def consent_items(self) -> dict[str, dict[str, Any]]:
        """What the declaration makes consentable: mechanism, banner, GPC, withdrawal."""
        catalog = Catalog.from_policy(self.policy)
        return {
            key: {
                "mechanism": item.mechanism,
                "banner": item.on_device,
                "gpc": item.opt_out_use,
                "withdrawal_effect": item.purpose.withdrawal_effect,
                "trackers": [t.name for t in item.trackers],
            }
            for key, item in catalog.items.items()
        }

    def close(self) -> None:
        """Release the project's connections and the store's pool."""
        with self._lock:
            if self._project is not None:
                release(self._project)
                self._project = None
        if "store" in self.__dict__:
            self.store.dispose()


def _stamp(directory: Path) -> tuple[float, ...]:
    """When the policy and the data map last changed (0 for a missing file)."""
    paths = (directory / POLICY_FILE, datamap_path(directory))
    return tuple(p.stat().st_mtime_ns if p.is_file() else 0 for p in paths)
