"""`policykeeper render`: writes the file atomically, and bad usage is one line with exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from render_support import EXAMPLES, rendered
from typer.testing import CliRunner

from policykeeper.cli import app

AINEMA = EXAMPLES / "ainema"


def test_render_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "privacy.ja.html"
    result = CliRunner().invoke(
        app, ["render", str(AINEMA), "--lang", "ja", "--format", "html", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert target.read_text("utf-8") == rendered("ainema", "ja", "html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["privacy.ja.html"]


def test_render_prints_markdown_without_a_file() -> None:
    result = CliRunner().invoke(app, ["render", str(AINEMA), "--lang", "en", "--format", "md"])
    assert result.exit_code == 0
    assert result.stdout == rendered("ainema", "en", "md")


def test_a_failed_render_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "privacy.md"
    target.write_text("previous version", "utf-8")
    result = CliRunner().invoke(
        app, ["render", str(tmp_path / "missing"), "--lang", "ja", "-o", str(target)]
    )
    assert result.exit_code == 2
    assert target.read_text("utf-8") == "previous version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["privacy.md"]


def test_bad_language_is_one_line_and_exit_2(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "policykeeper.cli", "render", str(AINEMA), "--lang", "fr"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "fr" in lines[0], result.stderr
    assert result.stdout == ""


def test_an_unpublished_language_is_one_line_and_exit_2(tmp_path: Path) -> None:
    project = tmp_path / "ja-only"
    project.mkdir()
    text = (AINEMA / "policy.yaml").read_text("utf-8")
    (project / "policy.yaml").write_text(
        text.replace("  published: [ja, en]\n", "  published: [ja]\n"), "utf-8"
    )
    ok = CliRunner().invoke(app, ["render", str(project), "--lang", "ja", "--format", "md"])
    assert ok.exit_code == 0 and "AInema運営事務局" in ok.stdout
    refused = CliRunner().invoke(app, ["render", str(project), "--lang", "en", "--format", "md"])
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        "error: the policy is not published in 'en' (languages.published: ja)"
    )
    assert refused.stdout == ""
