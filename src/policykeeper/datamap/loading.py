"""Load `datamap.yaml` into a checked DataMap, with every problem at file:line:column."""

from __future__ import annotations

from pathlib import Path

from policykeeper.datamap.checks import check_datamap
from policykeeper.datamap.models import DataMap
from policykeeper.datamap.place_checks import check_places
from policykeeper.errors import Problem, ProblemsFound
from policykeeper.policy.loading import parse_model, project_directory
from policykeeper.policy.models import Policy
from policykeeper.policy.source import read_yaml

DATAMAP_FILE = "datamap.yaml"


def datamap_path(directory: Path | str) -> Path:
    return project_directory(directory) / DATAMAP_FILE


def read_datamap(
    directory: Path | str, policy: Policy | None
) -> tuple[DataMap | None, list[Problem]]:
    """The data map and its problems; cross-checks against `policy` when it loaded."""
    document = read_yaml(datamap_path(directory))
    base = project_directory(directory)
    return parse_model(
        DataMap,
        document,
        lambda datamap: [*check_datamap(datamap, policy), *check_places(datamap, policy, base)],
    )


def load_datamap(directory: Path | str, policy: Policy | None) -> DataMap:
    datamap, problems = read_datamap(directory, policy)
    if problems or datamap is None:
        raise ProblemsFound(problems)
    return datamap
