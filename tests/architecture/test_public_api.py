"""The public API is declared: every exported name imports and is documented, every command
of the command line is in the README."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import typer

import policykeeper
from policykeeper.cli import app

README = Path(__file__).parents[2] / "README.md"


def test_every_exported_name_imports_and_is_documented() -> None:
    assert set(policykeeper.__all__) >= {"Keeper", "Config", "Identity", "Step"}
    for name in policykeeper.__all__:
        value = getattr(policykeeper, name)
        assert value.__name__ == name
        assert (value.__doc__ or "").strip(), f"{name} has no docstring"
        assert f"`{name}`" in (policykeeper.__doc__ or ""), f"{name} missing from the docstring"


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        policykeeper.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("an unknown name imported")


def commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> Iterator[str]:
    for command in group.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
        yield " ".join((*prefix, name))
    for sub in group.registered_groups:
        assert sub.typer_instance is not None and sub.name is not None
        yield from commands(sub.typer_instance, (*prefix, sub.name))


def test_every_command_is_in_the_readme() -> None:
    found = list(commands(app))
    assert "staff add" in found and "retention hold add" in found  # the walk sees the groups
    readme = README.read_text()
    missing = [name for name in found if f"policykeeper {name}" not in readme]
    assert missing == []
