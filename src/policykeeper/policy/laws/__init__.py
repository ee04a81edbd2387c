"""The laws PolicyKeeper knows, by the key a declaration names them with in `jurisdictions`.

APPI, the GDPR and the CCPA are built in; `register` adds another from outside the package, and
from then on declarations may name it and validate, the deadlines, the fees and the renderer
use it like the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

from policykeeper.policy.laws.base import (
    Calendar,
    Law,
    LegalClock,
    LimitFloor,
    SpecialCare,
    StatutoryDeadline,
    StatutoryFee,
)
from policykeeper.policy.models import Jurisdiction

__all__ = [
    "ByLaw",
    "Calendar",
    "Law",
    "LegalClock",
    "LimitFloor",
    "SpecialCare",
    "StatutoryDeadline",
    "StatutoryFee",
    "law",
    "laws",
    "register",
]

_LAWS: dict[str, Law] = {}
Value = TypeVar("Value")


class ByLaw(Mapping[Jurisdiction, Value]):
    """One figure of every known law by jurisdiction (its clock, its calendar), read live so a
    law registered later is in it too."""

    def __init__(self, figure: Callable[[Law], Value]) -> None:
        self._figure = figure

    def __getitem__(self, key: Jurisdiction | str) -> Value:
        return self._figure(law(key))

    def __iter__(self) -> Iterator[Jurisdiction]:
        return (Jurisdiction(each.key) for each in laws())

    def __len__(self) -> int:
        return len(laws())


def register(new: Law) -> None:
    """Make `new` a law declarations can name: its key becomes a `Jurisdiction`."""
    _builtin()
    if new.key in _LAWS and type(_LAWS[new.key]) is not type(new):
        raise ValueError(f"a law is already registered as {new.key!r}")
    _LAWS[new.key] = new
    if new.key not in Jurisdiction._value2member_map_:
        member = str.__new__(Jurisdiction, new.key)
        member._name_ = member._value_ = new.key
        Jurisdiction._member_map_[new.key] = member
        Jurisdiction._value2member_map_[new.key] = member
        Jurisdiction._member_names_.append(new.key)


def law(key: Jurisdiction | str) -> Law:
    """The law a jurisdiction names."""
    _builtin()
    return _LAWS[str(key)]


def laws() -> list[Law]:
    """Every known law: the built-in ones first, then the registered ones in order."""
    _builtin()
    return list(_LAWS.values())


def _builtin() -> None:
    if _LAWS:
        return
    from policykeeper.policy.laws import appi, ccpa, gdpr

    for builtin in (appi.APPI, gdpr.GDPR, ccpa.CCPA):
        _LAWS[builtin.key] = builtin
