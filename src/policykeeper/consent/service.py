"""The consent service: the one Python API the web routes, the middleware and services share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policykeeper.consent.catalog import Catalog
from policykeeper.consent.checker import ConsentChecker, Restricted, project_restriction
from policykeeper.consent.cookie import SCOPE_PREFIX, CookieSigner, DeviceCookie
from policykeeper.consent.effects import Effect, carry_out, email_for, needs_request, request_kind
from policykeeper.consent.export import consent_export
from policykeeper.consent.ledger import Entry, Ledger
from policykeeper.consent.signals import SignalRules
from policykeeper.consent.state import PurposeState
from policykeeper.policy.models import Policy
from policykeeper.store import Store
from policykeeper.workflow.errors import Conflict, Invalid
from policykeeper.workflow.service import Workflow


@dataclass
class Outcome:
    entries: list[Entry]
    state: dict[str, PurposeState]
    effects: list[Effect] = field(default_factory=list)
    cookie: DeviceCookie | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "recorded": len(self.entries),
            "state": {key: s.to_json() for key, s in self.state.items()},
            "effects": [e.to_json() for e in self.effects],
        }


class ConsentService:
    def __init__(
        self,
        store: Store,
        policy: Policy,
        *,
        key: bytes,
        workflow: Workflow | None = None,
        restricted: Restricted | None = None,
        clock: Callable[[], datetime] | None = None,
        ttl: float = 5.0,
    ) -> None:
        self.store = store
        self.catalog = Catalog.from_policy(policy)
        self.rules = SignalRules.from_catalog(self.catalog)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.ledger = Ledger(store, self.catalog, self.clock)
        self.checker = ConsentChecker(self.ledger, restricted=restricted, ttl=ttl)
        self.signer = CookieSigner(key)
        self.workflow = workflow

    @classmethod
    def for_workflow(cls, workflow: Workflow) -> ConsentService:
        """The service beside a request workflow: same store, declaration, secret and clock."""
        return cls(
            workflow.store,
            workflow.policy,
            key=workflow.secrets.keyed_hash("consent", "cookie-key").encode(),
            workflow=workflow,
            restricted=_restriction_for(workflow.project_dir),
            clock=workflow.clock,
        )

    def allowed(self, subject: str, purpose: str, *, signal: bool = False) -> bool:
        return self.checker.allowed(subject, purpose, signal=signal)

    def state(self, subject: str, *, signal: bool = False) -> dict[str, PurposeState]:
        return self.checker.state(subject, signal=signal)

    def export(self, subject: str) -> list[dict[str, Any]]:
        return consent_export(self.store, subject)

    def read_cookie(self, value: str | None) -> DeviceCookie | None:
        """The device's cookie; None when there is none; ForgedCookie for a bad one."""
        return self.signer.load(value) if value else None

    def choose_on_device(
        self,
        cookie: DeviceCookie | None,
        choices: Mapping[str, bool],
        *,
        source: str,
        language: str,
        policy_version: str | None,
        signal: str | None,
    ) -> Outcome:
        """A choice from the banner or the preferences page, for the device in the cookie.

        An honoured GPC or DNT signal is recorded as its own opt-out of the purposes it covers,
        and wins over a choice made in the same request.
        """
        if source not in ("banner", "settings"):
            raise Invalid("a device's choice comes from the banner or the settings page")
        banner = {item.key for item in self.catalog.on_device()}
        unknown = [p for p in choices if p not in banner]
        if unknown:
            raise Invalid(f"not a choice the banner offers: {', '.join(map(str, unknown))}")
        if policy_version is not None and policy_version != self.catalog.version:
            raise Conflict(
                f"the choice was made on policy version {policy_version!r}; the current "
                f"version is {self.catalog.version!r}: reload and choose again"
            )
        opted_out = set(self.rules.purposes) if signal else set()
        own = {p: g for p, g in choices.items() if p not in opted_out}
        if not own and not opted_out:
            raise Invalid("no choices given")
        cookie = cookie or DeviceCookie.new(self.catalog.version)
        if own:
            self.ledger.validate(cookie.device, own, source, language, None)
        entries: list[Entry] = []
        if opted_out and signal:
            entries += self.ledger.record(
                cookie.device, dict.fromkeys(opted_out, False), source=signal, language=language
            )
        if own:
            entries += self.ledger.record(cookie.device, own, source=source, language=language)
        state = self.state(cookie.device, signal=bool(signal))
        cookie.version = self.catalog.version
        cookie.signal = signal or cookie.signal
        cookie.choices = {
            key: [int(s.allowed), self.catalog.items[key].scope_hash[:SCOPE_PREFIX]]
            for key, s in state.items()
            if key in banner and s.choice is not None
        }
        return Outcome(entries, state, cookie=cookie)

    def choose_for_subject(
        self,
        subject: str,
        choices: Mapping[str, bool],
        *,
        source: str,
        language: str,
        policy_version: str | None = None,
        email: str | None = None,
        ip: str = "consent-api",
    ) -> Outcome:
        """A choice the service records for one of its users (its settings page, its API).

        Withdrawing a purpose whose declared effect is deactivating or deleting the account
        also creates that request; everything it needs is checked before anything is written.
        """
        self.ledger.validate(subject, choices, source, language, policy_version)
        address = email_for(subject, email)
        before = self.state(subject)
        for purpose, given in choices.items():
            effect = needs_request(self.catalog, purpose, given)
            if effect is None or not before[purpose].allowed:
                continue
            if self.workflow is None:
                raise Conflict(f"withdrawing {purpose!r} needs the request workflow ({effect})")
            if not address:
                raise Invalid(
                    f"withdrawing {purpose!r} means '{effect}': give the account's email so "
                    "the request can be made"
                )
            request_kind(self.catalog, effect)
        entries = self.ledger.record(
            subject, choices, source=source, language=language, policy_version=policy_version
        )
        effects: list[Effect] = []
        ended = [e for e in entries if before[e.purpose].allowed]
        if self.workflow is not None and address:
            effects = carry_out(
                self.workflow, self.catalog, ended, email=address, language=language, ip=ip
            )
        return Outcome(entries, self.state(subject), effects)


def _restriction_for(project_dir: Path | None) -> Restricted | None:
    """The engine's restriction, when the project has a data map to find people in."""
    from policykeeper.datamap.loading import datamap_path
    from policykeeper.project import load_project

    if project_dir is None or not datamap_path(Path(project_dir)).is_file():
        return None

    return project_restriction(load_project(project_dir))


def open_service(
    project_dir: Path | str, *, database_url: str | None = None, key: bytes | None = None
) -> ConsentService:
    """The SDK's entry point: `open_service("examples/ainema").allowed("user_id=42", "analytics")`.

    It migrates and opens the project's store and reads the declaration; `key` signs device
    cookies (by default the project's secret, as the web app uses).
    """
    from policykeeper.policy.loading import load_policy
    from policykeeper.store import default_url, migrate
    from policykeeper.store.database import STATE_DIR
    from policykeeper.workflow.tokens import Secrets, load_secret_key

    directory = Path(project_dir)
    url = database_url or default_url(directory)
    migrate(url)
    secrets = Secrets(key or load_secret_key(directory / STATE_DIR))
    return ConsentService(
        Store(url),
        load_policy(directory),
        key=secrets.keyed_hash("consent", "cookie-key").encode(),
        restricted=_restriction_for(directory),
    )
