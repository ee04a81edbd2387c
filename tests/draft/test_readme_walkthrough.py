"""The README's walk-through of drafting from AInema's policy, run as written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from draft_kit import SEEDS
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.review import validate_project

README = Path(__file__).resolve().parents[2] / "README.md"


def _example() -> str:
    text = README.read_text("utf-8")
    section = text[text.index("## Starting from an existing policy") :]
    return section[section.index("$ cp ") : section.index("```", section.index("$ cp "))]


def test_the_walkthrough_prints_what_the_readme_shows(tmp_path, monkeypatch) -> None:
    example = _example()
    shutil.copy(SEEDS[0], tmp_path / "privacy.txt")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    drafted = runner.invoke(app, ["init", "ainema", "--from", "privacy.txt"])
    checked = runner.invoke(app, ["validate", "ainema", "--provenance"])
    assert drafted.exit_code == 0 and checked.exit_code == 1
    assert validate_project(tmp_path / "ainema") == []
    said = " ".join((drafted.stderr + checked.stdout + checked.stderr).split())
    expected = [line for line in example.splitlines() if line and not line.startswith(("$", "…"))]
    assert len(expected) == 4
    for line in expected:
        assert " ".join(line.split()) in said, line
    review = (tmp_path / "ainema" / "policy.review.md").read_text("utf-8")
    assert re.search(r"77 of 80 sentences mapped", review)
    missing = [
        line.split(": missing: ", 1)[1] for line in said_lines(checked) if ": missing: " in line
    ]
    assert len(missing) == 5
    for item in missing:
        assert item in review


def said_lines(result) -> list[str]:
    return (result.stdout + result.stderr).splitlines()
