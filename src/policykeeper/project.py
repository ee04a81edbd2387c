"""A project directory: the public declaration and, when present, the internal data map."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policykeeper.datamap.loading import datamap_path, read_datamap
from policykeeper.datamap.models import DataMap
from policykeeper.errors import InputError, ProblemsFound, display_path
from policykeeper.policy.loading import project_directory, read_policy
from policykeeper.policy.models import Policy


@dataclass(frozen=True)
class Project:
    """What every engine call needs: where the project lives, what it promises, where data is."""

    directory: Path
    policy: Policy
    datamap: DataMap


def load_project(directory: Path | str) -> Project:
    """The checked policy and data map, or ProblemsFound listing every problem in both."""
    path = project_directory(directory)
    if not datamap_path(path).is_file():
        raise InputError(f"{display_path(datamap_path(path))}: file not found")
    policy, problems = read_policy(path)
    datamap, datamap_problems = read_datamap(path, policy)
    problems = [p for p in [*problems, *datamap_problems] if p.blocking]
    if problems or policy is None or datamap is None:
        raise ProblemsFound(problems)
    return Project(path, policy, datamap)
