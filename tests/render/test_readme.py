"""The README's worked example of 'not stated', qualifiers and negative promises is true."""

from __future__ import annotations

import re
from pathlib import Path

from render_support import visible_text
from typer.testing import CliRunner

from policykeeper.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"


def block(name: str) -> str:
    text = README.read_text("utf-8")
    found = re.search(
        rf"<!-- {name}: start -->\n```\w*\n(.*?)```\n<!-- {name}: end -->", text, re.S
    )
    assert found, name
    return found.group(1)


def test_the_worked_example_renders_what_the_readme_says(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text(block("readme-example"), "utf-8")
    runner = CliRunner()
    rendered = ""
    for lang in ("ja", "en"):
        result = runner.invoke(app, ["render", str(tmp_path), "--lang", lang, "--format", "md"])
        assert result.exit_code == 0, result.output
        rendered += visible_text(result.stdout, "md") + "\n"
    for line in block("readme-output").strip().splitlines():
        assert line in rendered, line
    for unsaid in ("手数料", "本人確認", "苦情", "Fee", "verify your identity", "omplain"):
        assert unsaid not in rendered, unsaid


def test_validate_lists_what_the_worked_example_still_lacks(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text(block("readme-example"), "utf-8")
    result = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert [
        m
        for m in (
            "address of 'shop'",
            "representative of 'shop'",
            "security measures",
            "where to complain",
        )
        if not any(m in line for line in lines)
    ] == []
    procedures = [line for line in lines if "the procedure for requests for" in line]
    assert len(procedures) == 4
