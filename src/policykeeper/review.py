"""Reviewing a project directory: everything `policykeeper validate` reports.

It sits above the project and retention (whose binding checks it adds), so loading a project
never depends on retention.
"""

from __future__ import annotations

from pathlib import Path

from policykeeper.datamap.loading import datamap_path, read_datamap
from policykeeper.datamap.models import DataMap
from policykeeper.errors import Problem
from policykeeper.policy.loading import project_directory, read_policy
from policykeeper.policy.models import Policy
from policykeeper.policy.source import read_yaml
from policykeeper.retention.rules import binding_findings


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
    document = read_yaml(datamap_path(path))
    return [
        document.problem(where, message) for where, message in binding_findings(policy, datamap)
    ]
