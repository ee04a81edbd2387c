"""A project directory: the public declaration and, when present, the internal data map."""

from __future__ import annotations

from pathlib import Path

from policykeeper.errors import Problem
from policykeeper.policy.loading import project_directory, read_policy


def validate_project(directory: Path | str) -> list[Problem]:
    """Every problem in the project, in file order; an empty list means valid."""
    path = project_directory(directory)
    _policy, problems = read_policy(path)
    return problems
