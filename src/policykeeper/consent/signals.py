"""Browser privacy signals as the declaration says to treat them.

Global Privacy Control is a valid opt-out of sale and sharing (CCPA regulations §7025) unless the
declaration says it is not honoured; saying nothing publishes nothing but still honours it. Do
Not Track counts only where the declaration promises it (jasminai).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from policykeeper.consent.catalog import Catalog


@dataclass(frozen=True)
class SignalRules:
    gpc: bool
    dnt: bool
    purposes: tuple[str, ...]
    """The purposes an honoured signal opts out of: those declared as sale, sharing or targeted
    advertising."""
    last_update: date | None
    declared_gpc: bool = False
    """The policy says it honours GPC: only then is /.well-known/gpc.json published."""

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> SignalRules:
        signals = catalog.policy.signals
        return cls(
            gpc=signals.gpc is not False,
            dnt=signals.dnt == "opt_out_sale_sharing",
            purposes=tuple(key for key, item in catalog.items.items() if item.opt_out_use),
            last_update=catalog.policy.effective_date,
            declared_gpc=signals.gpc is True,
        )

    def source(self, *, gpc: bool, dnt: bool) -> str | None:
        """'gpc' or 'dnt' when an honoured signal is on, else None."""
        if gpc and self.gpc:
            return "gpc"
        if dnt and self.dnt:
            return "dnt"
        return None

    def from_headers(self, headers: Mapping[str, str]) -> str | None:
        return self.source(
            gpc=headers.get("sec-gpc", "").strip() == "1",
            dnt=headers.get("dnt", "").strip() == "1",
        )

    def well_known(self, today: date) -> dict[str, Any] | None:
        """The body of /.well-known/gpc.json; None when the policy makes no GPC promise (the
        file would state one: absent means silent)."""
        if not self.declared_gpc:
            return None
        return {"gpc": True, "lastUpdate": (self.last_update or today).isoformat()}
