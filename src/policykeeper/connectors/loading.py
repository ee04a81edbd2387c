"""Finding a connector configuration: a shipped name (stripe) or a YAML file in the project."""

from __future__ import annotations

from pathlib import Path

from policykeeper.connectors.config import ConnectorConfig
from policykeeper.errors import InputError, ProblemsFound, display_path
from policykeeper.policy.loading import parse_model
from policykeeper.policy.source import read_yaml

SHIPPED = Path(__file__).resolve().parent / "configs"


def shipped_connectors() -> list[str]:
    return sorted(p.stem for p in SHIPPED.glob("*.yaml"))


def connector_path(reference: str, project: Path) -> Path:
    """`stripe` is shipped; anything with a '/' or ending in .yaml is relative to the project."""
    if "/" in reference or reference.endswith((".yaml", ".yml")):
        return project / reference
    return SHIPPED / f"{reference}.yaml"


def load_connector(reference: str, project: Path) -> ConnectorConfig:
    path = connector_path(reference, project)
    if not path.is_file():
        if path.parent == SHIPPED:
            raise InputError(
                f"no shipped connector '{reference}'; shipped: {', '.join(shipped_connectors())}"
            )
        raise InputError(f"{display_path(path)}: connector configuration not found")
    config, problems = parse_model(ConnectorConfig, read_yaml(path))
    if problems or config is None:
        raise ProblemsFound(problems)
    return config
