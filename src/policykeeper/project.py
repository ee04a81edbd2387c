"""A project directory: the public declaration and, when present, the internal data map."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policykeeper.datamap.loading import datamap_path, read_datamap
from policykeeper.datamap.models import DataMap
from policykeeper.errors import InputError, Problem, ProblemsFound, display_path
from policykeeper.policy.loading import project_directory, read_policy
from policykeeper.policy.models import Policy


@dataclass(frozen=True)
class Project:
    """What every engine call needs: where the project lives, what it promises, where data is."""

    directory: Path
    policy: Policy
    datamap: DataMap


def validate_project(directory: Path | str) -> list[Problem]:
    """Every problem that stops the project from loading; an empty list means it can be used."""
    return [p for p in review_project(directory) if p.blocking]


def review_project(directory: Path | str) -> list[Problem]:
    """Everything `policykeeper validate` reports: problems that stop the project, what the law
    requires and the policy lacks or breaks, and warnings (see Problem.severity)."""
    path = project_directory(directory)
    policy, problems = read_policy(path)
    if datamap_path(path).is_file():
        datamap, datamap_problems = read_datamap(path, policy)
        problems = [*problems, *datamap_problems]
        if policy is not None and datamap is not None and not datamap_problems:
            problems = [*problems, *_retention_problems(path, policy, datamap)]
    return problems


def _retention_problems(path: Path, policy: Policy, datamap: DataMap) -> list[Problem]:
    """Retention rules the data map cannot bind (owned by policykeeper.retention)."""
    from policykeeper.policy.source import read_yaml
    from policykeeper.retention.rules import binding_findings

    document = read_yaml(datamap_path(path))
    return [
        document.problem(where, message) for where, message in binding_findings(policy, datamap)
    ]


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
