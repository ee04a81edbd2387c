"""Workflow knobs the declaration does not hold: clocks the law leaves open, calendars, limits.

LAW.md marks APPI's "without delay" and the holiday calendars as configurable; they live here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher

from policykeeper.config import Config
from policykeeper.policy.laws import ByLaw, Calendar
from policykeeper.policy.models import Jurisdiction
from policykeeper.policy.types import Duration

DEFAULT_CALENDARS: Mapping[Jurisdiction, Calendar] = ByLaw(lambda law: law.calendar)
"""Each law's calendar (`Law.calendar`), the one its business days are counted on."""


@dataclass(frozen=True)
class WorkflowSettings:
    appi_working_period: Duration = field(default_factory=lambda: Duration(14, "day"))
    """APPI says "without delay"; this is the working clock (LAW.md: default 14 days)."""
    calendars: dict[Jurisdiction, Calendar] = field(default_factory=lambda: dict(DEFAULT_CALENDARS))
    due_soon: timedelta = timedelta(days=3)
    code_ttl: timedelta = timedelta(minutes=15)
    max_code_attempts: int = 5
    codes_per_address: int = 5
    codes_per_ip: int = 20
    rate_window: timedelta = timedelta(hours=1)
    upload_retention: Duration = field(default_factory=lambda: Duration(30, "day"))
    """Used when the declaration has no retention rule for identity documents."""
    upload_max_bytes: int = 10 * 1024 * 1024
    uploads_per_request: int = 5
    body_max_bytes: int = 64 * 1024
    """The largest JSON body or form the API and the pages read (uploads aside)."""
    download_ttl: timedelta = timedelta(days=7)
    status_ttl: timedelta = timedelta(days=30)
    """How long a status link keeps working after its request closed (open ones always work)."""
    session_ttl: timedelta = timedelta(hours=8)
    api_token_ttl: timedelta = timedelta(days=30)
    """How long a staff API token lives unless asked for less (at most `api_token_max_ttl`)."""
    api_token_max_ttl: timedelta = timedelta(days=365)
    password_hasher: PasswordHasher = field(default_factory=PasswordHasher)
    """Staff passwords: argon2id with argon2-cffi's parameters (RFC 9106's low-memory profile,
    t=3, m=64 MiB, p=4). A hash made with other parameters is re-made at the next sign-in."""
    login_failures: int = 10
    """Wrong passwords for one username from one address within `rate_window` before that
    pair is refused; other addresses (and the right password from them) are unaffected."""
    login_failures_per_address: int = 50
    """Wrong passwords from one address for any usernames within `rate_window`."""
    job_lease: timedelta = timedelta(minutes=5)
    job_max_attempts: int = 5
    base_url: str = "http://localhost:8000"
    """Where the API is reachable from the person's mail client (POLICYKEEPER_BASE_URL)."""
    staff_email: str | None = None
    """Where the daily digest of overdue and due-soon requests goes (POLICYKEEPER_STAFF_EMAIL)."""
    reminder_interval: timedelta = timedelta(days=1)
    replies_read: bool = False
    """Whether anyone reads replies to the sending address; if not, each email to the person
    says it is sent from an address that does not take replies (送信専用)."""

    @classmethod
    def from_config(cls, config: Config, **overrides: Any) -> WorkflowSettings:
        """Settings from the configuration: the base URL, the staff address and the extra
        holidays (dates the office is closed), which every calendar then skips."""
        closed = frozenset(config.extra_holidays)
        calendars = {
            jurisdiction: replace(calendar, extra_holidays=calendar.extra_holidays | closed)
            for jurisdiction, calendar in DEFAULT_CALENDARS.items()
        }
        return cls(
            base_url=config.base_url,
            staff_email=config.staff_email,
            calendars=calendars,
            **overrides,
        )
