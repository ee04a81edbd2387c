import json

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
