"""How far a long operation has come, reported to whoever called it.

Engine erasure and the retention sweep call a `Progress` after every batch; the command line
draws Rich bars from the calls, the worker leaves them out, and nothing here draws anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """`done` of `total` units (rows) of `task`; `total` is None when it is not known."""

    task: str
    done: int
    total: int | None


Progress = Callable[[Step], None]
