"""`allowed(subject, purpose)`: the runtime check a service makes before processing.

Answers come from an in-process cache of each subject's state. A write through the same ledger
drops the subject's entry at once; writes from other processes and restrictions made by the
request engine are seen within `ttl` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from policykeeper.consent.catalog import STORAGE
from policykeeper.consent.ledger import Ledger, check_subject
from policykeeper.consent.state import PurposeState, current_state
from policykeeper.project import Project
from policykeeper.workflow.errors import Invalid

Restricted = Callable[[str], bool]
MAX_CACHED = 100_000


class ConsentChecker:
    def __init__(
        self,
        ledger: Ledger,
        *,
        restricted: Restricted | None = None,
        ttl: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ledger = ledger
        self.catalog = ledger.catalog
        self.restricted = restricted
        self.ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, dict[str, bool]]] = {}
        self._signal_purposes = frozenset(k for k, i in self.catalog.items.items() if i.opt_out_use)
        ledger.listeners.append(self.invalidate)

    def allowed(self, subject: str, purpose: str, *, signal: bool = False) -> bool:
        """May the service process `subject`'s data for `purpose` now?

        `signal` is an honoured GPC (or declared DNT) opt-out sent with the current request.
        A restricted person is allowed nothing but storage. An unknown purpose is an error.
        """
        cached = self._cache.get(subject)
        if cached is None or cached[0] < self._clock():
            cached = self._load(subject)
        answer = cached[1].get(purpose)
        if answer is None:
            raise Invalid(f"unknown purpose {purpose!r}")
        if signal and purpose in self._signal_purposes:
            return False
        return answer

    def is_cached(self, subject: str) -> bool:
        """Would `allowed` answer from memory, without reading the store?"""
        cached = self._cache.get(subject)
        return cached is not None and cached[0] >= self._clock()

    def state(self, subject: str, *, signal: bool = False) -> dict[str, PurposeState]:
        """Every consent item's state, read fresh from the ledger."""
        check_subject(subject)
        return current_state(self.catalog, self.ledger.latest(subject), signal=signal)

    def is_restricted(self, subject: str) -> bool:
        return self.restricted is not None and self.restricted(subject)

    def invalidate(self, subject: str | None = None) -> None:
        if subject is None:
            self._cache.clear()
        else:
            self._cache.pop(subject, None)

    def _load(self, subject: str) -> tuple[float, dict[str, bool]]:
        check_subject(subject)
        answers = dict.fromkeys(self.catalog.purposes, True)
        if self.is_restricted(subject):
            answers = dict.fromkeys(answers, False)
        else:
            for key, state in self.state(subject).items():
                answers[key] = state.allowed
        answers[STORAGE] = True
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()
        entry = (self._clock() + self.ttl, answers)
        self._cache[subject] = entry
        return entry


def project_restriction(project: Project) -> Restricted:
    """The request engine's restriction for subjects named 'KIND=VALUE' with a data-map kind."""
    from policykeeper.engine import Identity, is_restricted

    def restricted(subject: str) -> bool:
        kind, separator, value = subject.partition("=")
        if not separator or kind not in project.datamap.identities:
            return False
        return is_restricted(project, Identity(kind, value))

    return restricted
