"""The demo: one command from a fresh clone to a working privacy center and admin console on
any example (AInema by default), with synthetic data, a demo admin and an outbox page instead
of SMTP.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from fastapi import FastAPI

from policykeeper.datamap.connections import open_engine, resolve_url, safe_url, unreachable
from policykeeper.datamap.loading import load_datamap
from policykeeper.errors import InputError
from policykeeper.examples.generation import EXAMPLES, generate
from policykeeper.examples.nicori import populate as populate_shop
from policykeeper.examples.wordpress import allin
from policykeeper.examples.wordpress.site import Site, install
from policykeeper.examples.wordpress.site import missing as wordpress_missing
from policykeeper.examples.wordpress.site import populate as populate_site
from policykeeper.policy.loading import project_directory
from policykeeper.store.database import STATE_DIR, private_dir
from policykeeper.web import outbox
from policykeeper.web.app import create_app
from policykeeper.workflow.errors import Conflict
from policykeeper.workflow.settings import WorkflowSettings
from policykeeper.workflow.setup import open_staff

DEMO_USERS = 200
DEMO_ADMIN = "admin"


@dataclass(frozen=True)
class Demo:
    app: FastAPI
    base_url: str
    username: str
    password: str
    generated: dict[str, int] | None
    """Rows per table when the example data was created now; None when it already existed."""


def ensure_example_data(directory: Path, users: int = DEMO_USERS) -> dict[str, int] | None:
    """Fill the example database the data map points at, if it is a SQLite file not yet there;
    for the examples that run on a real application's database (ALLIN STUDIO on WordPress,
    Nicori on django-oscar), fill that database when it holds no customer yet."""
    base = project_directory(directory)
    name = base.resolve().name
    datamap = load_datamap(base, None)
    url = resolve_url(next(iter(datamap.connections.values())), base)
    if name in APPLICATIONS:
        return _application_data(name, url, base, users)
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or name not in EXAMPLES:
        return None
    if parsed.database and Path(parsed.database).is_file():
        return None
    return generate(name, url, users, progress=False)


APPLICATIONS = {"allin-studio": "wp_users", "nicori": "auth_user"}
"""Examples on an application's own schema, and the table that holds its people."""


def _application_data(name: str, url: str, base: Path, users: int) -> dict[str, int] | None:
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            table = APPLICATIONS[name]
            if (
                table in tables
                and connection.execute(
                    sa.select(sa.func.count()).select_from(sa.table(table))
                ).scalar_one()
            ):
                return None
    except sa.exc.SQLAlchemyError as exc:
        raise unreachable(url, exc) from None
    finally:
        engine.dispose()
    if name == "nicori":
        return populate_shop(url, users)
    if tables:
        raise InputError(
            f"{safe_url(url)} is not empty and holds no WordPress site: give ALLIN_DATABASE_URL "
            "an empty MariaDB database, where the demo installs WordPress"
        )
    reason = wordpress_missing()
    if reason is not None:
        raise InputError(reason)
    site = Site(url, base / STATE_DIR / "wp-content", secrets.token_hex(16))
    install(site, admin_password=secrets.token_urlsafe(12))
    ids = populate_site(site, allin.content(users))
    return {"wp_users": len(ids["users"]), "wp_posts": len(ids["works"]) + len(ids["media"])}


def ensure_admin(directory: Path, database_url: str | None = None) -> tuple[str, str]:
    """The demo admin's login, created once and remembered in the project's state folder."""
    state = private_dir(Path(directory) / STATE_DIR)
    saved = state / "demo-login.json"
    if saved.is_file():
        login = json.loads(saved.read_text())
        return str(login["username"]), str(login["password"])
    staff = open_staff(directory, database_url=database_url)
    password = secrets.token_urlsafe(12)
    try:
        staff.create(DEMO_ADMIN, password, "admin", actor="demo")
    except Conflict:
        password = ""
    finally:
        staff.store.dispose()
    descriptor = os.open(saved, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump({"username": DEMO_ADMIN, "password": password}, handle)
    return DEMO_ADMIN, password


def demo_app(
    directory: Path | str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    database_url: str | None = None,
    users: int = DEMO_USERS,
) -> Demo:
    """The app as `policykeeper serve` builds it, but with email kept in the outbox."""
    project = Path(directory)
    generated = ensure_example_data(project, users)
    username, password = ensure_admin(project, database_url)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    base_url = f"http://{shown_host}:{port}"
    mail_dir = project / STATE_DIR / "outbox"
    app = create_app(
        project,
        database_url=database_url,
        mailer=outbox.OutboxMailer(mail_dir),
        settings=WorkflowSettings(base_url=base_url),
    )
    app.state.outbox_dir = mail_dir
    app.include_router(outbox.router)
    return Demo(app, base_url, username, password, generated)
