"""A project directory: the public declaration and, when present, the internal data map."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policykeeper.datamap.loading import datamap_path, read_datamap
from policykeeper.datamap.models import DataMap
from policykeeper.errors import InputError, ProblemsFound, display_path
from policykeeper.policy.loading import project_directory, read_policy
from policykeeper.policy.models import Policy
from policykeeper.store.database import default_url


@dataclass(frozen=True)
class Project:
    """What every engine call needs: where the project lives, what it promises, where data is."""

    directory: Path
    policy: Policy
    datamap: DataMap
    state_url: str | None = None
    """PolicyKeeper's own store (legal holds, journals); None: the project's SQLite file."""
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """What is built once per loaded project (the engine's reflected runtime); it goes with
    the project object, so a reloaded project never sees the old one's."""
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @property
    def store_url(self) -> str:
        return self.state_url or default_url(self.directory)


def load_project(directory: Path | str, state_url: str | None = None) -> Project:
    """The checked policy and data map, or ProblemsFound listing every problem in both;
    `state_url` is PolicyKeeper's own store, when it is not the project's SQLite file."""
    path = project_directory(directory)
    if not datamap_path(path).is_file():
        raise InputError(f"{display_path(datamap_path(path))}: file not found")
    policy, problems = read_policy(path)
    datamap, datamap_problems = read_datamap(path, policy)
    problems = [p for p in [*problems, *datamap_problems] if p.blocking]
    if problems or policy is None or datamap is None:
        raise ProblemsFound(problems)
    return Project(path, policy, datamap, state_url)
