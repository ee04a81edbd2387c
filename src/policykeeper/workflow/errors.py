"""The workflow's errors: defined, with their HTTP status and exit code, in
`policykeeper.errors`; named here too because the workflow's modules raise them."""

from __future__ import annotations

from policykeeper.errors import (
    Conflict,
    Expired,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    TooManyAttempts,
    Unauthorized,
    WorkflowError,
    WrongCode,
)

__all__ = [
    "Conflict",
    "Expired",
    "Forbidden",
    "Invalid",
    "NotFound",
    "RateLimited",
    "TooManyAttempts",
    "Unauthorized",
    "WorkflowError",
    "WrongCode",
]
