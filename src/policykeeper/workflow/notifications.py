"""Emails to the person, rendered from per-language templates whose first line is the subject."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).resolve().parent / "templates"
EVENTS = ("received", "code", "fee_due", "extended", "denied", "completed", "reminder")


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )


def render_email(event: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) for one event in the person's language (ja or en)."""
    if event not in EVENTS:
        raise ValueError(f"no email template for {event!r}")
    lang = language if language in ("ja", "en") else "en"
    text = _environment().get_template(f"{event}.{lang}.txt.j2").render(**context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")
