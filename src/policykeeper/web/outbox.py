"""The demo's outbox: email is written to files and shown at /outbox instead of being sent,
so a newcomer can follow a request end to end without an SMTP server.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from policykeeper.store.database import private_dir
from policykeeper.web.views import page, texts, workflow_of, zone_of

router = APIRouter(prefix="/outbox", include_in_schema=False)
_URL = re.compile(r"https?://[^\s<>\"]+")


class OutboxMailer:
    """A Mailer that keeps each message as a JSON file in `directory`, readable by its owner
    only: the messages hold codes and private links."""

    def __init__(self, directory: Path) -> None:
        self.directory = private_dir(directory)

    def send(self, to: str, subject: str, body: str) -> None:
        now = datetime.now(UTC)
        name = f"{now.strftime('%Y%m%d%H%M%S%f')}-{secrets.token_hex(4)}"
        message = {"to": to, "subject": subject, "body": body, "at": now.isoformat()}
        temporary = self.directory / f".{name}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(message, ensure_ascii=False))
        temporary.replace(self.directory / f"{name}.json")


@dataclass(frozen=True)
class Mail:
    id: str
    to: str
    subject: str
    at: datetime
    parts: list[tuple[str, bool]]
    """The body as (text, is_link) pieces, so links can be followed from the page."""


def read_outbox(directory: Path, limit: int = 50) -> list[Mail]:
    mails = []
    for path in sorted(directory.glob("*.json"), reverse=True)[:limit]:
        data = json.loads(path.read_text(encoding="utf-8"))
        mails.append(
            Mail(
                path.stem,
                data["to"],
                data["subject"],
                datetime.fromisoformat(data["at"]),
                _pieces(data["body"]),
            )
        )
    return mails


def _pieces(body: str) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    last = 0
    for match in _URL.finditer(body):
        pieces.append((body[last : match.start()], False))
        pieces.append((match.group(0), True))
        last = match.end()
    pieces.append((body[last:], False))
    return pieces


@router.get("")
def outbox(request: Request) -> Response:
    directory: Path = request.app.state.outbox_dir
    t = texts(request)
    zone = zone_of(workflow_of(request))
    mails = read_outbox(directory)
    return page(
        request,
        "outbox.html",
        {"mails": mails, "when": lambda moment: t.when(moment, zone)},
    )
