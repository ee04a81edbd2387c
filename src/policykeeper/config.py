"""PolicyKeeper's configuration: every setting it takes from outside the project's files.

This is the one module that reads the process environment. The command line builds a `Config`
from it once (`Config.from_environment()`), a Python user builds one in code, and the `Keeper`
hands each value to the part that needs it; nothing below reads a variable of its own.
`${NAME}` references in a data map (connection URLs, secrets) are looked up through
`variable()` here, for the same reason.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from policykeeper.errors import InputError

DATABASE_URL_ENV = "POLICYKEEPER_DATABASE_URL"
SECRET_KEY_ENV = "POLICYKEEPER_SECRET_KEY"
SMTP_URL_ENV = "POLICYKEEPER_SMTP_URL"
MAIL_FROM_ENV = "POLICYKEEPER_MAIL_FROM"
BASE_URL_ENV = "POLICYKEEPER_BASE_URL"
STAFF_EMAIL_ENV = "POLICYKEEPER_STAFF_EMAIL"
EXTRA_HOLIDAYS_ENV = "POLICYKEEPER_EXTRA_HOLIDAYS"
LETTER_FONT_ENV = "POLICYKEEPER_LETTER_FONT"
WORDPRESS_ROOT_ENV = "POLICYKEEPER_WORDPRESS_ROOT"
SLOW_ERASE_ENV = "POLICYKEEPER_TEST_SLOW_ERASE"
"""Test hook: seconds the command line waits after each erased batch (kill -9 tests)."""
SLOW_RETENTION_ENV = "POLICYKEEPER_TEST_SLOW_RETENTION"
"""Test hook: seconds the command line waits after each swept batch (kill -9 tests)."""


class Config(BaseModel):
    """Explicit configuration; every field has the default the environment would give."""

    model_config = ConfigDict(frozen=True)

    database_url: str | None = None
    """PolicyKeeper's own store; None: the SQLite file in the project's state folder."""
    secret_key: str | None = None
    """Signs status links and codes; None: a key file created once in the state folder."""
    smtp_url: str = "smtp://localhost:25"
    mail_from: str = "privacy@localhost"
    base_url: str = "http://localhost:8000"
    """Where the API is reachable from the person's mail client."""
    staff_email: str | None = None
    """Where the daily digest of overdue and due-soon requests goes."""
    extra_holidays: tuple[date, ...] = ()
    """Days the office is closed (e.g. the Japanese year-end days), skipped as business days."""
    letter_font: Path | None = None
    """A TrueType font for the PDF letters; None: the first installed of the usual ones."""
    slow_erase: float = 0.0
    slow_retention: float = 0.0

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Config:
        """The configuration the POLICYKEEPER_* variables describe (empty ones are unset)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(name) or None

        try:
            holidays = tuple(
                date.fromisoformat(item.strip())
                for item in (get(EXTRA_HOLIDAYS_ENV) or "").split(",")
                if item.strip()
            )
            return cls(
                database_url=get(DATABASE_URL_ENV),
                secret_key=get(SECRET_KEY_ENV),
                smtp_url=get(SMTP_URL_ENV) or cls.model_fields["smtp_url"].default,
                mail_from=get(MAIL_FROM_ENV) or cls.model_fields["mail_from"].default,
                base_url=get(BASE_URL_ENV) or cls.model_fields["base_url"].default,
                staff_email=get(STAFF_EMAIL_ENV),
                extra_holidays=holidays,
                letter_font=get(LETTER_FONT_ENV),
                slow_erase=float(get(SLOW_ERASE_ENV) or 0),
                slow_retention=float(get(SLOW_RETENTION_ENV) or 0),
            )
        except ValueError as exc:
            first = str(exc).splitlines()[0]
            raise InputError(f"configuration from the environment: {first}") from None


def variable(name: str) -> str | None:
    """One variable for a `${NAME}` reference in the data map; None when unset or empty."""
    return os.environ.get(name) or None


def wordpress_root() -> Path:
    """Where the WordPress example finds WordPress (scripts/wordpress installs it there)."""
    return Path(os.environ.get(WORDPRESS_ROOT_ENV, "/usr/share/wordpress"))


def child_environment() -> dict[str, str]:
    """The process environment, for a child process that needs it whole (the PHP runner)."""
    return dict(os.environ)
