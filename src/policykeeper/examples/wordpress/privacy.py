"""WordPress core's own personal-data exporter and eraser, run for one person, as data.

`run_privacy` drives Tools > Export / Erase Personal Data through `privacy.php` and returns
what each registered exporter or eraser answered, page by page, with timings. `rows_found`
maps an export onto the database rows it came from; `rows_changed` compares two snapshots, so
what an erasure touched is read from the database itself, not from WordPress's own report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from policykeeper.examples.wordpress.site import Site

Row = tuple[str, tuple[Any, ...]]
"""A database row: (table, primary key)."""

USER_FIELDS = {
    "User ID": "ID",
    "User Login Name": "user_login",
    "User Nice Name": "user_nicename",
    "User Email": "user_email",
    "User URL": "user_url",
    "User Registration Date": "user_registered",
    "User Display Name": "display_name",
}
USER_META_FIELDS = {
    "User Nickname": "nickname",
    "User First Name": "first_name",
    "User Last Name": "last_name",
    "User Description": "description",
}
COMMENT_FIELDS = {
    "Comment Author": "comment_author",
    "Comment Author Email": "comment_author_email",
    "Comment Author URL": "comment_author_url",
    "Comment Author IP": "comment_author_IP",
    "Comment Author User Agent": "comment_agent",
    "Comment Date": "comment_date",
    "Comment Content": "comment_content",
    "Comment URL": "comment_post_ID",
}


@dataclass(frozen=True)
class Page:
    page: int
    seconds: float
    answer: dict[str, Any]


@dataclass(frozen=True)
class Tool:
    """One registered exporter or eraser and its pages, in the order wp-admin calls them."""

    index: int
    key: str
    name: str
    pages: list[Page]

    @property
    def seconds(self) -> float:
        return sum(p.seconds for p in self.pages)


@dataclass
class PrivacyRun:
    action: str
    email: str
    request_id: int
    status: str
    tools: list[Tool]
    seconds: float
    export_file: Path | None
    mail: list[dict[str, Any]] = field(default_factory=list)

    def items(self) -> list[dict[str, Any]]:
        """Every exported item (group, item_id, name/value pairs), across exporters and pages."""
        return [item for t in self.tools for p in t.pages for item in p.answer.get("data", [])]

    def removed(self) -> dict[str, tuple[bool, bool]]:
        """Per eraser: did it report items removed, items retained."""
        return {
            t.key: (
                any(p.answer.get("items_removed") for p in t.pages),
                any(p.answer.get("items_retained") for p in t.pages),
            )
            for t in self.tools
        }


def run_privacy(site: Site, action: str, email: str) -> PrivacyRun:
    """Export or erase `email`'s personal data with WordPress's own tools."""
    if action not in ("export", "erase"):
        raise ValueError(f"action must be export or erase, not {action!r}")
    answer = site.php("privacy.php", action, email)
    tools = [
        Tool(
            t["index"],
            t["key"],
            t["name"],
            [Page(p["page"], p["seconds"], p["answer"]) for p in t["pages"]],
        )
        for t in answer["tools"]
    ]
    exported = answer.get("export_file")
    return PrivacyRun(
        action=action,
        email=email,
        request_id=int(answer["request_id"]),
        status=answer["status"],
        tools=tools,
        seconds=float(answer["seconds"]),
        export_file=Path(exported) if exported else None,
        mail=answer.get("mail", []),
    )


def rows_found(site: Site, run: PrivacyRun) -> dict[Row, set[str]]:
    """The database rows an export read, each with the columns (or meta keys) it showed."""
    found: dict[Row, set[str]] = {}
    engine = site.engine()
    try:
        with engine.connect() as connection:
            for item in run.items():
                for row, columns in _item_rows(connection, item):
                    found.setdefault(row, set()).update(columns)
    finally:
        engine.dispose()
    return found


def _item_rows(connection: sa.Connection, item: dict[str, Any]) -> Iterable[tuple[Row, set[str]]]:
    item_id = str(item.get("item_id", ""))
    names = {entry["name"] for entry in item.get("data", [])}
    if match := re.fullmatch(r"comment-(\d+)", item_id):
        yield ("wp_comments", (int(match[1]),)), {COMMENT_FIELDS.get(n, n) for n in names}
    elif match := re.fullmatch(r"post-(\d+)", item_id):
        yield ("wp_posts", (int(match[1]),)), {"guid"}
    elif match := re.fullmatch(r"user-(\d+)", item_id):
        user = int(match[1])
        yield ("wp_users", (user,)), {USER_FIELDS[n] for n in names if n in USER_FIELDS}
        for name in names & set(USER_META_FIELDS):
            yield _meta(connection, user, USER_META_FIELDS[name])
    elif match := re.fullmatch(r"session-tokens-(\d+)-.*", item_id):
        yield _meta(connection, int(match[1]), "session_tokens")
    elif match := re.fullmatch(r"community-events-location-(\d+)", item_id):
        yield _meta(connection, int(match[1]), "community-events-location")


def _meta(connection: sa.Connection, user: int, key: str) -> tuple[Row, set[str]]:
    umeta_id = connection.execute(
        sa.text("SELECT umeta_id FROM wp_usermeta WHERE user_id = :u AND meta_key = :k"),
        {"u": user, "k": key},
    ).scalar_one()
    return ("wp_usermeta", (int(umeta_id),)), {key}


Snapshot = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


def snapshot(site: Site) -> Snapshot:
    """Every row of every table of the site, by primary key."""
    engine = site.engine()
    metadata = sa.MetaData()
    out: Snapshot = {}
    try:
        with engine.connect() as connection:
            metadata.reflect(connection)
            for table in metadata.sorted_tables:
                key = [c.name for c in table.primary_key.columns]
                out[table.name] = {
                    tuple(row[c] for c in key): dict(row)
                    for row in connection.execute(sa.select(table)).mappings()
                }
    finally:
        engine.dispose()
    return out


def rows_changed(before: Snapshot, after: Snapshot, request_id: int) -> dict[Row, set[str]]:
    """Rows updated (with the columns that changed) or deleted ("*") between two snapshots.

    The privacy request WordPress records about the run itself (a `user_request` post and its
    meta) is left out: it is the tool's own bookkeeping, not the person's data.
    """
    changed: dict[Row, set[str]] = {}
    for table in before.keys() | after.keys():
        old, new = before.get(table, {}), after.get(table, {})
        for key in old.keys() | new.keys():
            was, now = old.get(key), new.get(key)
            if now is None:
                changed[(table, key)] = {"*"}
            elif was is None:
                changed[(table, key)] = {"+"}
            elif now != was:
                changed[(table, key)] = {c for c in was if now.get(c) != was[c]}
    return {
        row: columns
        for row, columns in changed.items()
        if not _bookkeeping(row, before, after, request_id)
    }


def _bookkeeping(row: Row, before: Snapshot, after: Snapshot, request_id: int) -> bool:
    table, key = row
    if table == "wp_posts":
        return key == (request_id,)
    if table == "wp_postmeta":
        meta = after[table].get(key) or before[table][key]
        return meta["post_id"] == request_id
    return False
