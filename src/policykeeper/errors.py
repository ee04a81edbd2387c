"""Every error PolicyKeeper reports to a person, each mapped here once to how the shells
report it: `exit_code` for the CLI, `status` and `code` for the JSON API, `page` for the HTML
error page (the `error.<page>` messages). The CLI and the web read these attributes and nothing
else, so an error added here is reported the same way everywhere.
"""

from __future__ import annotations

import re
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
    """The CLI's exit code: 1 for problems found, 2 for bad input (the CLI contract)."""
    status = 422
    """The HTTP status the web answers with."""
    code = "invalid"
    """The JSON API's stable `error` code."""
    page = "invalid"
    """The kind of friendly HTML page (`error.<page>_title` and `error.<page>` messages)."""


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


class HeldByLaw(PolicyKeeperError):
    """An erasure reached rows under a legal hold: nothing was changed."""

    exit_code = 1


class AuditKeyError(PolicyKeeperError):
    """The audit key is missing, unreadable, or not the one the log was written with: the
    operator's problem (logged for them); a caller only learns the service cannot record now."""

    exit_code = 2
    status = 503
    code = "unavailable"
    page = "server"


class WorkerGaveUp(PolicyKeeperError):
    """The database stayed out of reach longer than the worker may wait."""

    exit_code = 3


class RetentionBusy(PolicyKeeperError):
    """Another retention run holds the lock."""

    exit_code = 1  # the command-line contract: 1 when the command could not do its work
    status = 409
    code = "conflict"
    page = "conflict"


class PagesInvalid(ProblemsFound):
    """The promise checks' pages file cannot be used: unreadable input, so exit 2 like any bad
    input."""

    exit_code = 2


class IllegalTransition(PolicyKeeperError):
    """A move the request lifecycle does not allow, e.g. executing a request never reviewed."""

    exit_code = 1
    status = 409
    code = "illegal_transition"
    page = "conflict"

    def __init__(self, current: str, target: str) -> None:
        self.current = current
        self.target = target
        super().__init__(f"a request cannot go from {current} to {target}")


# --- the privacy-request workflow ----------------------------------------------------------


class WorkflowError(PolicyKeeperError):
    """A step of a privacy request that cannot be done as asked."""

    exit_code = 1
    status = 400
    code = "bad_request"


class NotFound(WorkflowError):
    """Unknown or unguessable: the same answer for a guessed link as for a deleted request."""

    status = 404
    code = "not_found"
    page = "not_found"


class Invalid(WorkflowError):
    """A value a person sent that the workflow's rules (`workflow.inputs`) refuse."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        named = re.match(r"([a-z_]+(?:\.[\w.]+)?): ", message)
        self.field = field or (named.group(1) if named else None)
        """The input the message is about (`email`, `details.changes`, ...), for the forms."""


class Conflict(WorkflowError):
    """Not possible in the current state, or already there."""

    status = 409
    code = "conflict"
    page = "conflict"


class Expired(WorkflowError):
    """An expired or already used code or link."""

    status = 410
    code = "expired"
    page = "expired"


class WrongCode(Invalid):
    """A code that does not match, with how many tries the current code has left."""

    def __init__(self, left: int) -> None:
        super().__init__("the code is not correct", "code")
        self.left = left


class TooManyAttempts(Expired):
    """The current code took too many wrong tries: the person needs a new one (not 'expired')."""

    code = "too_many_attempts"


class SamePerson(Conflict):
    """Four eyes: whoever proposed an approval cannot approve it too."""

    code = "same_person"


class RateLimited(WorkflowError):
    """Too many attempts in a short time."""

    status = 429
    code = "rate_limited"
    page = "rate_limited"


class Unauthorized(WorkflowError):
    """Not signed in (staff routes)."""

    status = 401
    code = "unauthorized"
    page = "unauthorized"


class Forbidden(WorkflowError):
    """The staff role does not allow this."""

    status = 403
    code = "forbidden"
    page = "forbidden"


class ForgedCookie(WorkflowError):
    """A consent cookie whose signature does not hold."""

    status = 400
    code = "forged_cookie"


class MailUnavailable(WorkflowError):
    """The email with the person's code could not be sent; nothing was recorded."""

    status = 503
    code = "mail_unavailable"
    page = "mail"


class Unavailable(WorkflowError):
    """The project's data map cannot be loaded, so pages that read the service's data cannot
    be shown."""

    status = 503
    code = "unavailable"
    page = "server"
