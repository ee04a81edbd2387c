"""Values crossing the boundary: text from the command line into column types, rows into JSON."""

from __future__ import annotations

import base64
import decimal
import re
import uuid
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa

_PLAIN = frozenset({str, int, float, bool, type(None)})
_TRUE = {"1", "true", "yes", "on", "t", "y"}
_FALSE = {"0", "false", "no", "off", "f", "n"}
_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")
"""ASCII digits only: int() also reads '٢١' or '2_1', which would match user 21."""
_NUMBER = re.compile(r"\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*")


def coerce(column: sa.Column[Any], value: Any) -> Any:
    """`value` as the column's Python type, or ValueError saying why it does not fit."""
    if value is None:
        if not column.nullable:
            raise ValueError(f"'{column.name}' cannot be empty")
        return None
    kind = python_type(column)
    text = value if isinstance(value, str) else None
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            lowered = str(value).strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError
        if kind is int:
            if isinstance(value, bool) or (text is not None and not _INTEGER.fullmatch(text)):
                raise ValueError
            return int(text.strip()) if text is not None else int(value)
        if kind is float:
            if text is not None and not _NUMBER.fullmatch(text):
                raise ValueError
            return float(value)
        if kind is decimal.Decimal:
            if text is not None and not _NUMBER.fullmatch(text):
                raise ValueError
            return decimal.Decimal(str(value))
        if kind is datetime:
            return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        if kind is date:
            return value if isinstance(value, date) else date.fromisoformat(str(value))
        if kind is time:
            return value if isinstance(value, time) else time.fromisoformat(str(value))
    except (ValueError, TypeError, decimal.InvalidOperation):
        raise ValueError(
            f"{value!r} is not a valid {kind.__name__} for '{column.name}' ({column.type})"
        ) from None
    if kind is str or kind is None:
        result = str(value)
        length = getattr(column.type, "length", None)
        if length is not None and len(result) > length:
            raise ValueError(f"'{column.name}' holds at most {length} characters")
        return result
    return value


def python_type(column: sa.Column[Any]) -> type | None:
    """The column's Python type, or None where the dialect's type declares none."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return None
    return kind if isinstance(kind, type) else None


def jsonable(value: Any) -> Any:
    """A database value as JSON: dates in ISO 8601, decimals as strings, bytes as base64."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)
