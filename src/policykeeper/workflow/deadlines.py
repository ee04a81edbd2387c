"""Deadlines from the declared right and the person's jurisdictions, the stricter where both apply.

Each jurisdiction's clock is computed on its own calendar (business days skip weekends and its
public holidays, counted in its time zone); the request then takes the earliest of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from policykeeper.policy.laws import ByLaw, LegalClock
from policykeeper.policy.models import Deadline, Jurisdiction, Policy, Right
from policykeeper.policy.types import Duration
from policykeeper.workflow.settings import Calendar, WorkflowSettings

LEGAL_CLOCKS: Mapping[Jurisdiction, LegalClock] = ByLaw(lambda law: law.clock)
"""Each law's clock (`Law.clock`): APPI 'without delay', GDPR a month, CCPA 45 days."""


@dataclass(frozen=True)
class Deadlines:
    due_at: datetime
    max_due_at: datetime
    """The latest the answer may come with every allowed extension; equal to due_at if none."""
    acknowledge_by: datetime | None


def applicable_jurisdictions(
    policy: Policy, right: Right, requested: list[Jurisdiction] | None
) -> list[Jurisdiction]:
    """Where the right applies to this person; without a stated place, every declared one."""
    declared = [
        j for j in policy.jurisdictions if not right.jurisdictions or j in right.jurisdictions
    ]
    if not requested:
        return declared
    chosen = [j for j in declared if j in requested]
    return chosen or declared


def compute_deadlines(
    policy: Policy,
    right: Right,
    jurisdictions: list[Jurisdiction],
    received_at: datetime,
    settings: WorkflowSettings,
) -> Deadlines:
    clocks = [_clock(right, j, received_at, settings) for j in jurisdictions]
    due = min(c.due_at for c in clocks)
    max_due = max(due, min(c.max_due_at for c in clocks))
    acks = [c.acknowledge_by for c in clocks if c.acknowledge_by is not None]
    return Deadlines(due, max_due, min(acks) if acks else None)


def _clock(
    right: Right, jurisdiction: Jurisdiction, received_at: datetime, settings: WorkflowSettings
) -> Deadlines:
    terms = right.by_jurisdiction.get(jurisdiction)
    declared: Deadline | None = terms.deadline if terms and terms.deadline else right.deadline
    legal = LEGAL_CLOCKS[jurisdiction]
    calendar = settings.calendars[jurisdiction]

    if declared is not None and declared.period is not None:
        due = add_period(received_at, declared.period, declared.business_days, calendar)
    elif legal.period is not None:
        due = add_period(received_at, legal.period, False, calendar)
    else:
        due = add_period(received_at, settings.appi_working_period, False, calendar)
    if legal.period is not None:
        due = min(due, add_period(received_at, legal.period, False, calendar))

    max_due = due
    legal_end = (
        add_period(
            add_period(received_at, legal.period, False, calendar), legal.extension, False, calendar
        )
        if legal.period is not None and legal.extension is not None
        else None
    )
    if declared is None and legal_end is not None:
        max_due = legal_end  # nothing stated: the law's own extension
    elif declared is not None and (declared.extension or declared.extended_to):
        if declared.extended_to is not None:
            max_due = add_period(received_at, declared.extended_to, False, calendar)
        else:
            assert declared.extension is not None
            max_due = add_period(due, declared.extension, False, calendar)
        if legal_end is not None:
            max_due = min(max_due, legal_end)

    acks: list[datetime] = []
    if declared is not None and declared.acknowledgment is not None:
        acks.append(
            add_period(
                received_at,
                declared.acknowledgment,
                declared.acknowledgment_business_days,
                calendar,
            )
        )
    if legal.acknowledgment is not None:
        acks.append(
            add_period(
                received_at, legal.acknowledgment, legal.acknowledgment_business_days, calendar
            )
        )
    return Deadlines(due, max(due, max_due), min(acks) if acks else None)


def add_period(
    start: datetime, period: Duration, business_days: bool, calendar: Calendar
) -> datetime:
    """`start` plus `period`, in the calendar's time zone; business days skip days off."""
    zone = ZoneInfo(calendar.timezone)
    local = start.astimezone(zone)
    if not business_days or period.unit in ("month", "year"):
        return period.after(local).astimezone(start.tzinfo)
    count = period.amount * (5 if period.unit == "week" else 1)
    day = local.date()
    while count:
        day += timedelta(days=1)
        if is_business_day(day, calendar):
            count -= 1
    return datetime.combine(day, local.timetz()).astimezone(start.tzinfo)


def is_business_day(day: date, calendar: Calendar) -> bool:
    if day.weekday() >= 5 or day in calendar.extra_holidays:
        return False
    return calendar.country is None or day not in _holidays(
        calendar.country, calendar.subdivision, day.year
    )


@cache
def _holidays(country: str, subdivision: str | None, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdivision, years=year)
