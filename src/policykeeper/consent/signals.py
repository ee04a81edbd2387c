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

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> SignalRules:
        signals = catalog.policy.signals
        return cls(
            gpc=signals.gpc is not False,
            dnt=signals.dnt == "opt_out_sale_sharing",
            purposes=tuple(key for key, item in catalog.items.items() if item.opt_out_use),
            last_update=catalog.policy.effective_date,
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

    def well_known(self, today: date) -> dict[str, Any]:
        """The body of /.well-known/gpc.json."""
        return {"gpc": self.gpc, "lastUpdate": (self.last_update or today).isoformat()}
