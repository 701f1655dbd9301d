"""Stage deadlines (pure): the chain register → dispatch → handle → verify → close, each stage's
limit counted from the end of the one before. When a stage really starts (or its deadline moves
by an extension or a suspension) the chain from there on is projected again, so the close
deadline (结案时限) is always "verify deadline + close limit"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cityops.cases.model import WorkCalendar
from cityops.worktime.public import LimitUnit, Stage, TimeLimit

CHAIN = (Stage.register, Stage.dispatch, Stage.handle, Stage.verify, Stage.close)


def project(
    deadlines: Mapping[Stage, datetime],
    first: Stage,
    start: datetime,
    limits: Mapping[Stage, TimeLimit],
    calendar: WorkCalendar,
) -> dict[Stage, datetime]:
    """`deadlines` with the chain from `first` on recomputed as if `first` started at `start`.
    Without a close limit the close deadline is the verify deadline."""
    out = dict(deadlines)
    for stage in CHAIN[CHAIN.index(first) :]:
        limit = limits.get(stage)
        if limit is None:
            continue
        out[stage] = start = calendar.add(start, limit)
    if Stage.close not in limits and Stage.verify in out:
        out[Stage.close] = out[Stage.verify]
    return out


def initial_deadlines(
    reported_at: datetime, limits: Mapping[Stage, TimeLimit], calendar: WorkCalendar
) -> dict[Stage, datetime]:
    """The projected deadlines of a case reported at `reported_at`."""
    return project({}, Stage.register, reported_at, limits, calendar)


def expected_by(
    reported_at: datetime,
    limits: Mapping[Stage, TimeLimit],
    deadlines: Mapping[Stage, datetime],
    calendar: WorkCalendar,
) -> datetime | None:
    """预计办结时间: the time the citizen is told the case will be closed by, on the receipt, in
    every SMS and on the tracking page alike. It is the close deadline promised at intake (the
    chain projected from the report); when the chain is projected again from a stage that
    started early, the internal close deadline moves earlier but the promise stands, and when it
    moves later (an extension, a suspension, a late stage) the later time is the one told."""
    current = deadlines.get(Stage.close)
    if current is None:
        return None
    promised = initial_deadlines(reported_at, limits, calendar).get(Stage.close)
    return current if promised is None else max(current, promised)


def shift(calendar: WorkCalendar, when: datetime, seconds: float, unit: LimitUnit) -> datetime:
    """`when` moved later by `seconds` of working time (or of elapsed time for calendar hours)."""
    kind = LimitUnit.calendar_hours if unit is LimitUnit.calendar_hours else LimitUnit.working_hours
    return calendar.add(when, TimeLimit(amount=seconds / 3600.0, unit=kind))


def on_time(now: datetime, deadline: datetime | None) -> bool:
    return deadline is None or now <= deadline
