"""The request engine's Python API: the CLI and the request workflow are thin shells over it."""

from policykeeper.engine.access import AccessResult, access
from policykeeper.engine.erase import ErasureReport, erase
from policykeeper.engine.identity import Identity
from policykeeper.engine.plan import Plan, plan
from policykeeper.engine.rectify import RectificationReport, rectify
from policykeeper.engine.restrict import RestrictionReport, is_restricted, restrict

__all__ = [
    "AccessResult",
    "ErasureReport",
    "Identity",
    "Plan",
    "RectificationReport",
    "RestrictionReport",
    "access",
    "erase",
    "is_restricted",
    "plan",
    "rectify",
    "restrict",
]
