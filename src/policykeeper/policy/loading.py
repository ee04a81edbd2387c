"""Load `policy.yaml` into a checked Policy, or report every problem with its position."""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from policykeeper.errors import InputError, Problem, ProblemsFound, display_path
from policykeeper.policy.checks import check_policy
from policykeeper.policy.models import Policy
from policykeeper.policy.source import YamlDocument, read_yaml

POLICY_FILE = "policy.yaml"


def project_directory(directory: Path | str) -> Path:
    path = Path(directory)
    if not path.is_dir():
        raise InputError(f"{display_path(path)}: no such project directory")
    return path


def load_policy(directory: Path | str) -> Policy:
    """The project's declaration, or ProblemsFound listing every problem that stops its use.

    What the law requires and the declaration lacks or breaks does not stop it: the policy is
    used (and published) as written, and `policykeeper validate` reports those findings.
    """
    policy, problems = read_policy(directory)
    blocking = [p for p in problems if p.blocking]
    if blocking or policy is None:
        raise ProblemsFound(blocking)
    return policy


def read_policy(directory: Path | str) -> tuple[Policy | None, list[Problem]]:
    """The declaration and every finding about it, of every severity."""
    document = read_yaml(project_directory(directory) / POLICY_FILE)
    return parse_model(Policy, document, check_policy)


def parse_model(
    model: type[BaseModel], document: YamlDocument, check: Any = None
) -> tuple[Any, list[Problem]]:
    """Validate a document against a model, then run its cross-checks; all problems located."""
    try:
        parsed = model.model_validate(_plain(document.data))
    except ValidationError as exc:
        return None, validation_problems(exc, document, model)
    findings = check(parsed) if check else []
    return parsed, [document.problem(*finding) for finding in findings]


def validation_problems(
    exc: ValidationError, document: YamlDocument, model: type[BaseModel]
) -> list[Problem]:
    fields = field_names(model)
    seen: dict[tuple[Any, ...], Problem] = {}
    for error in exc.errors(include_url=False):
        location = _data_location(error["loc"], document.data, fields)
        if location in seen:
            continue
        seen[location] = document.problem(location, _message(error, location, fields))
    return list(seen.values())


def _data_location(loc: tuple[Any, ...], data: Any, fields: frozenset[str]) -> tuple[Any, ...]:
    """Pydantic adds union member names ('Text', "literal['on_request']") to locations; drop them."""
    path: list[Any] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif (
            isinstance(node, dict) and isinstance(part, str) and part not in node and part in fields
        ):
            path.append(part)
            node = None
    return tuple(path)


def _message(error: dict[str, Any], location: tuple[Any, ...], fields: frozenset[str]) -> str:
    where = _dotted(location)
    if error["type"] == "extra_forbidden":
        key = error["loc"][-1]
        close = difflib.get_close_matches(str(key), sorted(fields), n=1, cutoff=0.7)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown key '{key}'{hint}"
    if error["type"] == "missing":
        return f"{where}: required"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return f"{where}: {message}" if where else message


def _dotted(location: tuple[Any, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@cache
def field_names(model: type[BaseModel]) -> frozenset[str]:
    """Every field name in a model tree: the vocabulary for 'did you mean' on unknown keys."""
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()

    def collect(current: type[BaseModel]) -> None:
        seen.add(current)
        for name, field in current.model_fields.items():
            names.add(name)
            for sub in _models_in(field.annotation):
                if sub not in seen:
                    collect(sub)

    collect(model)
    return frozenset(names)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]


def _plain(value: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists, with dates left as dates."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
