"""Workflow errors, each with the HTTP status the API answers with."""

from __future__ import annotations

import re

from policykeeper.errors import PolicyKeeperError


class WorkflowError(PolicyKeeperError):
    status = 400
    code = "bad_request"
    exit_code = 1


class NotFound(WorkflowError):
    """Unknown or unguessable: the same answer for a guessed link as for a deleted request."""

    status = 404
    code = "not_found"


class Invalid(WorkflowError):
    status = 422
    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        named = re.match(r"([a-z_]+(?:\.[\w.]+)?): ", message)
        self.field = field or (named.group(1) if named else None)
        """The input the message is about (`email`, `details.changes`, ...), for the forms."""


class Conflict(WorkflowError):
    status = 409
    code = "conflict"


class Expired(WorkflowError):
    status = 410
    code = "expired"


class WrongCode(Invalid):
    """A code that does not match, with how many tries the current code has left."""

    def __init__(self, left: int) -> None:
        super().__init__("the code is not correct", "code")
        self.left = left


class TooManyAttempts(Expired):
    """The current code took too many wrong tries: the person needs a new one (not 'expired')."""

    code = "too_many_attempts"


class RateLimited(WorkflowError):
    status = 429
    code = "rate_limited"


class Unauthorized(WorkflowError):
    status = 401
    code = "unauthorized"


class Forbidden(WorkflowError):
    status = 403
    code = "forbidden"
