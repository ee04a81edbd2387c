"""WordPress core's own personal-data export and erasure on ALLIN STUDIO's site: WordPress's side.

Installs Debian's WordPress into a fresh MariaDB database with its own installer, fills it
with ALLIN STUDIO's members and creators through its own functions, then, for a member who
changed their email after commenting and for a creator, runs Tools > Export Personal Data and
Erase Personal Data as wp-admin does. Prints what WordPress finds and changes, how long it
takes (the AJAX handlers' own time, and wall time with PHP's start-up), and the person's rows
it never looks at, found by the SQL in PERSON_SQL below.

    scripts/wordpress
    .venv/bin/python bench/wordpress_bench.py [--accounts 300] [--repeat 5]

PolicyKeeper's side of the comparison joins once data maps handle key-value meta tables
(issue 12, second wave); until then this prints WordPress's side only.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from policykeeper.engine import Identity, access, erase
from policykeeper.engine.runtime import release
from policykeeper.examples.wordpress import allin
from policykeeper.examples.wordpress.privacy import (
    Row,
    rows_changed,
    rows_found,
    run_privacy,
    snapshot,
)
from policykeeper.examples.wordpress.site import (
    Site,
    copy_site,
    create_database,
    drop_database,
    install,
    missing,
    populate,
)
from policykeeper.project import load_project

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "allin-studio"
KEYS = {
    "wp_users": "ID",
    "wp_usermeta": "umeta_id",
    "wp_comments": "comment_ID",
    "wp_posts": "ID",
    "wp_postmeta": "meta_id",
}
ADMIN_URL = os.environ.get("POLICYKEEPER_BENCH_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/")
PEOPLE = {"member who changed their email": 2, "creator": 1}

_ENTRIES = "SELECT post_id FROM wp_postmeta WHERE meta_key = '_from_email' AND meta_value = :e"
_POSTS = (
    "SELECT ID FROM wp_posts WHERE post_author = :u AND post_type IN ('post', 'attachment') "
    f"UNION SELECT ID FROM wp_posts WHERE post_type = 'allin_entry' AND ID IN ({_ENTRIES})"
)
PERSON_SQL = {
    "wp_users": "SELECT ID, user_login FROM wp_users WHERE ID = :u",
    "wp_usermeta": "SELECT umeta_id, meta_key FROM wp_usermeta WHERE user_id = :u",
    "wp_comments": "SELECT comment_ID, concat('by ', comment_author_email) FROM wp_comments "
    "WHERE user_id = :u OR comment_author_email = :e",
    "wp_posts": f"SELECT ID, post_type FROM wp_posts WHERE ID IN ({_POSTS})",
    "wp_postmeta": "SELECT meta_id, meta_key FROM wp_postmeta WHERE post_id IN "
    f"(SELECT ID FROM wp_posts WHERE ID IN ({_POSTS}))",
}
"""A person's rows, as someone who knows this site's schema finds them: the account, all its
meta, comments by account or by address, posts and media they authored, and the contact-form
entries sent from their address (with every meta row of those posts)."""


def person_rows(site: Site, user: int, email: str) -> dict[Row, str]:
    engine = site.engine()
    found: dict[Row, str] = {}
    try:
        with engine.connect() as connection:
            for table, sql in PERSON_SQL.items():
                for key, what in connection.execute(sa.text(sql), {"u": user, "e": email}):
                    found[(table, (int(key),))] = str(what)
    finally:
        engine.dispose()
    return found


def keeper(
    site: Site, work: Path, email: str
) -> tuple[set[Row], dict[Row, set[str]], float, float]:
    """PolicyKeeper's access and erasure on the site: rows found, rows changed, seconds each."""
    directory = work / f"allin-{uuid.uuid4().hex[:8]}"
    shutil.copytree(EXAMPLE, directory)
    os.environ["ALLIN_DATABASE_URL"] = site.database_url
    project = load_project(directory)
    try:
        started = time.perf_counter()
        result = access(project, Identity("email", email)).to_json()
        accessed = time.perf_counter() - started
        found = {
            (table, (int(row[KEYS[table]]),))
            for table, rows in result["tables"].items()
            for row in rows
        }
        before = snapshot(site)
        started = time.perf_counter()
        erase(project, Identity("email", email))
        erased = time.perf_counter() - started
        changed = rows_changed(before, snapshot(site), request_id=-1)
    finally:
        release(project)
    return found, changed, accessed, erased


def by_table(rows: Any) -> str:
    counts = Counter(table for table, _ in rows)
    return ", ".join(f"{table} {n}" for table, n in sorted(counts.items())) or "nothing"


def describe(missed: dict[Row, str]) -> list[str]:
    grouped: dict[str, Counter[str]] = {}
    for (table, _), what in missed.items():
        grouped.setdefault(table, Counter())[what] += 1
    return [
        f"    {table:<12} {sum(c.values()):>3}  "
        + ", ".join(f"{what} x{n}" if n > 1 else what for what, n in sorted(c.items()))
        for table, c in sorted(grouped.items())
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5, help="runs per person and tool")
    args = parser.parse_args()
    reason = missing()
    if reason:
        print(f"wordpress_bench: {reason}", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="pk-wordpress-bench-"))
    databases = [f"pk_wpbench_{uuid.uuid4().hex[:10]}"]
    url = create_database(ADMIN_URL, databases[0]) + "?charset=utf8mb4"
    try:
        site = Site(url, work / "template", secrets.token_hex(16))
        started = time.perf_counter()
        installed = install(site, admin_password=secrets.token_urlsafe(12))
        installed_at = time.perf_counter()
        content = allin.content(args.accounts)
        ids = populate(site, content)
        populated_at = time.perf_counter()
        print(f"WordPress {installed.version} (Debian), {args.accounts} ALLIN STUDIO accounts")
        print(f"  installer (wp_install)        {installed_at - started:7.2f} s")
        print(
            f"  population (WordPress's API)  {populated_at - installed_at:7.2f} s  "
            f"({len(content['works'])} WORKS, {len(ids['media'])} images, "
            f"{len(content['comments'])} comments, {len(content['entries'])} entries)"
        )

        for label, index in PEOPLE.items():
            person = content["users"][index - 1]
            user, email = ids["users"][person["login"]], person["email"]
            print(f"\n{label}: user {user}, {email}")
            mine = person_rows(site, user, email)
            print(f"  rows in the database (PERSON_SQL): {len(mine)}  ({by_table(mine)})")

            export, exports, walls = None, [], []
            erasure, erasures, erase_walls = None, [], []
            changed: dict[Row, set[str]] = {}
            pk_access: list[float] = []
            pk_erase: list[float] = []
            for run in range(args.repeat):  # each run on a fresh copy: WordPress keeps one
                name = f"pk_wpbench_{uuid.uuid4().hex[:10]}"  # open request per address
                databases.append(name)
                copy = copy_site(site, ADMIN_URL, name, work / name)
                wall = time.perf_counter()
                export = run_privacy(copy, "export", email)
                walls.append(time.perf_counter() - wall)
                exports.append(export.seconds)
                before = snapshot(copy)
                wall = time.perf_counter()
                erasure = run_privacy(copy, "erase", email)
                erase_walls.append(time.perf_counter() - wall)
                erasures.append(erasure.seconds)
                if run == 0:
                    found = rows_found(copy, export)
                    changed = rows_changed(before, snapshot(copy), erasure.request_id)
                drop_database(ADMIN_URL, name)
                databases.remove(name)
                name = f"pk_wpbench_{uuid.uuid4().hex[:10]}"
                databases.append(name)
                copy = copy_site(site, ADMIN_URL, name, work / name)
                pk_found, pk_changed, accessed, erased = keeper(copy, work, email)
                pk_access.append(accessed)
                pk_erase.append(erased)
                drop_database(ADMIN_URL, name)
                databases.remove(name)
            assert export is not None
            print(
                f"  WordPress export finds  {len(found):>3} rows  ({by_table(found)})  "
                f"in {statistics.median(exports) * 1000:.1f} ms "
                f"({statistics.median(walls) * 1000:.0f} ms with PHP start-up), "
                f"{len(export.tools)} exporters"
            )
            print(
                f"  WordPress erase changes {len(changed):>3} rows  ({by_table(changed)})  "
                f"in {statistics.median(erasures) * 1000:.1f} ms "
                f"({statistics.median(erase_walls) * 1000:.0f} ms with PHP start-up)"
            )
            missed = {row: what for row, what in mine.items() if row not in found}
            left = {row: what for row, what in mine.items() if row not in changed}
            print(f"  not found by the export: {len(missed)} of {len(mine)} rows")
            print("\n".join(describe(missed)))
            print(f"  left as they were by the eraser: {len(left)} of {len(mine)} rows")
            print("\n".join(describe(left)))
            print(
                f"  PolicyKeeper access finds {len(pk_found):>3} rows  ({by_table(pk_found)})  "
                f"in {statistics.median(pk_access) * 1000:.0f} ms"
            )
            print(
                f"  PolicyKeeper erase changes {len(pk_changed):>3} rows  "
                f"({by_table(pk_changed)})  in {statistics.median(pk_erase) * 1000:.0f} ms"
            )
            pk_missed = {row: what for row, what in mine.items() if row not in pk_found}
            print(f"  not found by PolicyKeeper: {len(pk_missed)} of {len(mine)} rows")
            print("\n".join(describe(pk_missed)))
            print(
                f"  found by WordPress, not by PolicyKeeper: {len(set(found) - pk_found)}; "
                f"changed by WordPress, not by PolicyKeeper: {len(set(changed) - set(pk_changed))}"
            )
    finally:
        for name in databases:
            drop_database(ADMIN_URL, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
