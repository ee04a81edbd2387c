"""The SQL predicates of a sweep: which rows a binding covers, and which of them are due.

Every value is a bound parameter and every name a SQLAlchemy column, so identifiers are
quoted by the dialect. A NULL clock is never due: the period has not started (an unresolved
report) or the data is wrong, and the plan reports it instead of guessing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from policykeeper.datamap.models import RetentionBinding
from policykeeper.policy.models import RetentionRule
from policykeeper.retention.rules import Bound, Sweep


def cutoff(rule: RetentionRule, now: datetime) -> datetime:
    """Rows whose clock is before this moment have outlived the rule's period."""
    assert rule.period is not None
    return rule.period.before(now)


def moment(column: sa.Column[Any], value: datetime) -> datetime | date:
    """`value` (aware UTC) as the column stores it: naive UTC, aware, or a date."""
    if isinstance(column.type, sa.Date) and not isinstance(column.type, sa.DateTime):
        return value.date()
    if isinstance(column.type, sa.DateTime) and column.type.timezone:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def covers(live: sa.FromClause, binding: RetentionBinding) -> sa.ColumnElement[bool]:
    """The rows a binding is about (its `where`), or every row."""
    terms = [
        live.c[name].is_(None) if value is None else live.c[name] == value
        for name, value in binding.where.items()
    ]
    return sa.and_(sa.true(), *terms)


def _outside(live: sa.FromClause, binding: RetentionBinding) -> sa.ColumnElement[bool]:
    """NOT covers(), written so a NULL column counts as outside a `column = value` filter."""
    terms = []
    for name, value in binding.where.items():
        column = live.c[name]
        terms.append(
            column.is_not(None) if value is None else sa.or_(column.is_(None), column != value)
        )
    return sa.or_(sa.false(), *terms)


def expired(live: sa.FromClause, bound: Bound, now: datetime) -> sa.ColumnElement[bool]:
    column = live.c[bound.clock]
    return column < moment(column, cutoff(bound.rule, now))


def due(live: sa.FromClause, sweep: Sweep, now: datetime) -> sa.ColumnElement[bool]:
    """Covered, expired under this rule, and expired under every other rule that covers it."""
    return sa.and_(
        covers(live, sweep.binding),
        expired(live, sweep.bound, now),
        *(sa.or_(_outside(live, o.binding), expired(live, o, now)) for o in sweep.others),
    )


def kept_longer(live: sa.FromClause, sweep: Sweep, now: datetime) -> sa.ColumnElement[bool]:
    """Expired under this rule but still kept by another (a longer statutory period)."""
    waiting = [
        sa.and_(covers(live, o.binding), sa.not_(expired(live, o, now))) for o in sweep.others
    ]
    return sa.and_(
        covers(live, sweep.binding), expired(live, sweep.bound, now), sa.or_(sa.false(), *waiting)
    )


def clock_unset(live: sa.FromClause, sweep: Sweep) -> sa.ColumnElement[bool]:
    return sa.and_(covers(live, sweep.binding), live.c[sweep.clock].is_(None))


def clock_future(live: sa.FromClause, sweep: Sweep, now: datetime) -> sa.ColumnElement[bool]:
    column = live.c[sweep.clock]
    return sa.and_(covers(live, sweep.binding), column > moment(column, now))


def waiting(live: sa.FromClause, sweep: Sweep, now: datetime) -> sa.ColumnElement[bool]:
    """Covered rows whose clock has started but whose period has not yet run out."""
    column = live.c[sweep.clock]
    return sa.and_(
        covers(live, sweep.binding),
        column >= moment(column, cutoff(sweep.rule, now)),
        column <= moment(column, now),
    )


def as_utc(value: Any) -> datetime | None:
    """A clock value read back from the database, as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None
