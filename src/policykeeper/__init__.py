"""PolicyKeeper: one declaration of a privacy policy, kept true in the service's own systems.

The public API, for a Python user (the command line makes one call on it per command)::

    from policykeeper import Config, Identity, Keeper

    keeper = Keeper("examples/ainema", Config(database_url="postgresql+psycopg://..."))
    report = keeper.erase(Identity("user_id", "42"), progress=print)

- `Keeper`: the composition root; owns the project, the stores, the clock, the mailer, the
  job worker and every cache (`erase`, `access`, `sweep`, `workflow`, `staff`, `consent`).
- `Config`: explicit configuration (`Config.from_environment()` reads POLICYKEEPER_*).
- `Identity`: a person as the data map identifies them (`Identity.parse("user_id=42")`).
- `PlacesReport`, `PlacesAccess`, `RunReport`: what erasure, access and a retention sweep
  return; `Step`: what a progress callback receives; `Readiness`: what `/readyz` reports.
- `PolicyKeeperError`: the base of every error reported to a person (with its exit code).

Names are imported on first use, so `import policykeeper.errors` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Keeper": "policykeeper.keeper",
    "Readiness": "policykeeper.keeper",
    "Config": "policykeeper.config",
    "Identity": "policykeeper.engine.identity",
    "PlacesReport": "policykeeper.engine.places.run",
    "PlacesAccess": "policykeeper.engine.places.run",
    "RunReport": "policykeeper.retention.run",
    "Step": "policykeeper.progress",
    "PolicyKeeperError": "policykeeper.errors",
}
__all__ = [
    "Config",
    "Identity",
    "Keeper",
    "PlacesAccess",
    "PlacesReport",
    "PolicyKeeperError",
    "Readiness",
    "RunReport",
    "Step",
]

if TYPE_CHECKING:
    from policykeeper.config import Config
    from policykeeper.engine.identity import Identity
    from policykeeper.engine.places.run import PlacesAccess, PlacesReport
    from policykeeper.errors import PolicyKeeperError
    from policykeeper.keeper import Keeper, Readiness
    from policykeeper.progress import Step
    from policykeeper.retention.run import RunReport


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'policykeeper' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
