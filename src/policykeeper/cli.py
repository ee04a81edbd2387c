"""The command line: each command is one call into the Python API, with errors as single lines."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from policykeeper.errors import PolicyKeeperError, ProblemsFound

app = typer.Typer(
    help="PolicyKeeper: keep a privacy policy true in the service's own systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
Command = TypeVar("Command", bound=Callable[..., Any])

ProjectDir = Annotated[
    Path, typer.Argument(help="Project directory with policy.yaml and datamap.yaml.")
]


def reported(command: Command) -> Command:
    """Turn PolicyKeeper errors into one line per problem and the contract's exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ProblemsFound as exc:
            for problem in exc.problems:
                print(str(problem), file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
        except PolicyKeeperError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        from policykeeper.output import write_atomic

        write_atomic(output, text)


class Language(StrEnum):
    ja = "ja"
    en = "en"


class TextFormat(StrEnum):
    html = "html"
    md = "md"


@app.command()
@reported
def validate(directory: ProjectDir) -> None:
    """Check the declaration (and data map, if any) against each other and the law."""
    from policykeeper.project import validate_project

    problems = validate_project(directory)
    if problems:
        raise ProblemsFound(problems)
    console.print(f"[green]ok[/green]: {directory} is valid")


@app.command()
@reported
def schema() -> None:
    """Print the JSON Schema of policy.yaml, for editor completion."""
    from policykeeper.policy.models import Policy

    print(json.dumps(Policy.model_json_schema(), ensure_ascii=False, indent=2))


@app.command()
@reported
def render(
    directory: ProjectDir,
    lang: Annotated[Language, typer.Option("--lang", help="Language of the policy.")],
    format: Annotated[TextFormat, typer.Option("--format", help="html or md.")] = TextFormat.html,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here, atomically.")
    ] = None,
) -> None:
    """Render the privacy policy as a Japanese or English document."""
    from policykeeper.policy.loading import load_policy
    from policykeeper.render import render_policy

    emit(render_policy(load_policy(directory), lang.value, format.value), output)


audit_app = typer.Typer(help="The request workflow's hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")

StateDir = Annotated[
    Path, typer.Argument(help="Project directory whose state store to use (default: here).")
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--db", help="State database URL (default: POLICYKEEPER_DATABASE_URL or DIR)."),
]


@audit_app.command("verify")
@reported
def audit_verify(directory: StateDir = Path("."), db: DatabaseUrl = None) -> None:
    """Check every link of the audit chain; name the first edited, inserted or deleted entry."""
    from policykeeper.store import default_url
    from policykeeper.workflow.audit import verify_store

    report = verify_store(db or default_url(directory))
    if not report.ok:
        print(f"audit log broken at entry {report.broken_at}: {report.reason}", file=sys.stderr)
        raise typer.Exit(1)
    console.print(f"[green]ok[/green]: {report.entries} audit entries, chain intact")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
