"""Every place a person's data lives, behind one interface (`Place`), and requests over all of
them: SQL tables first, then object stores, caches, files, processor APIs and manual tasks.

A new kind of place is a class with the methods of `Place`, named in the data map as
`stores: {NAME: {kind: custom, factory: "module:Class"}}` or installed as an entry point in the
group `policykeeper.places`.
"""

from policykeeper.engine.places.base import (
    Handoff,
    Kept,
    Location,
    Person,
    Place,
    PlaceError,
    PlaceResult,
    Status,
)
from policykeeper.engine.places.journal import RunJournal, StoreJournal
from policykeeper.engine.places.run import (
    PlaceEntry,
    PlacesAccess,
    PlacesReport,
    access,
    erase,
    plan,
    rectify,
    restrict,
)

__all__ = [
    "Handoff",
    "Kept",
    "Location",
    "Person",
    "Place",
    "PlaceEntry",
    "PlaceError",
    "PlaceResult",
    "PlacesAccess",
    "PlacesReport",
    "RunJournal",
    "Status",
    "StoreJournal",
    "access",
    "erase",
    "plan",
    "rectify",
    "restrict",
]
