import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from policykeeper.cli import app

runner = CliRunner()


def test_schema_describes_the_declaration() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Policy"
    assert {"operators", "categories", "purposes", "rights", "retention"} <= set(
        schema["properties"]
    )
    assert schema["$defs"]["Category"]["additionalProperties"] is False


def test_missing_directory_is_one_line_and_exit_2(tmp_path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no such project directory" in result.stderr


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policykeeper.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["render", "examples/ainema", "--lang", "ja", "--format", "pdf"],
            "Invalid value for '--format'",
        ),
        (["render", "examples/ainema"], "Missing option '--lang'"),
        (["frobnicate"], "No such command 'frobnicate'"),
        (["render", "examples/ainema", "--lang", "xx"], "unknown language 'xx'"),
    ],
)
def test_bad_usage_is_one_line_exit_2_without_traceback(args: list[str], expected: str) -> None:
    result = _run(*args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
