"""Problems reported to people: one line each, with a file position where there is one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    file: str
    line: int
    column: int
    message: str
    severity: str = "error"
    """'error': the input cannot be used; 'law': it can, but breaks or omits what the law requires
    (validate fails); 'warning': worth a look (validate passes)."""

    def __str__(self) -> str:
        message = f"warning: {self.message}" if self.severity == "warning" else self.message
        if self.line:
            return f"{self.file}:{self.line}:{self.column}: {message}"
        return f"{self.file}: {message}"

    @property
    def blocking(self) -> bool:
        """Does it stop the input from being loaded at all?"""
        return self.severity == "error"


class PolicyKeeperError(Exception):
    """Base of every error PolicyKeeper reports to a person instead of a traceback."""

    exit_code = 2


class InputError(PolicyKeeperError):
    """Unreadable or malformed input: a missing directory, bad YAML, an unknown identity kind."""


class ProblemsFound(PolicyKeeperError):
    """The input was read, but it contradicts itself or the law; every problem is listed."""

    exit_code = 1

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path: Path) -> str:
    """A path as the person typed it relative to where they stand, for messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class SubjectNotFound(PolicyKeeperError):
    """No row in the service's databases matches the identity of a request."""

    exit_code = 1


class SchemaConflict(PolicyKeeperError):
    """The live database cannot do what the data map asks (e.g. a cycle of NOT NULL keys)."""

    exit_code = 1
