"""Building the read models (model.py) from definitions, areas and stored states: pure functions
of their inputs except `trend`'s reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from cityops.geo.public import AreaRef
from cityops.insight.vitals.definitions import (
    AlertLevel,
    Baseline,
    Direction,
    IndicatorDefinition,
)
from cityops.insight.vitals.states import IndicatorState, VitalStatus
from cityops.insight.vitals_runtime import store
from cityops.insight.vitals_runtime.model import TrendPoint, VitalCurrent, VitalThreshold

UNEVALUATED = "unevaluated"


def current(
    d: IndicatorDefinition, area: AreaRef, level: str, state: IndicatorState | None
) -> VitalCurrent:
    has_value = state is not None and state.status is not VitalStatus.no_data and not state.missed
    return VitalCurrent(
        code=d.code,
        name_zh=d.name_zh,
        name_en=d.name_en,
        unit=d.unit,
        category=d.category.value,
        category_zh=d.category.name_zh,
        direction=d.direction.value,
        precision=d.precision,
        area_code=area.code,
        area_name=area.name,
        area_level=level,
        value=state.value if state is not None and has_value else None,
        status=UNEVALUATED if state is None else state.status.value,
        level=None if state is None or state.level is None else state.level.value,
        since=None if state is None else state.since,
        evaluated_at=None if state is None else state.evaluated_at,
        thresholds=tuple(
            VitalThreshold(lv.value, v)
            for lv, v in (d.thresholds.defined() if d.thresholds else ())
        ),
        refresh_seconds=int(d.refresh.total_seconds()),
        levels=tuple(lv.value for lv in d.levels),
    )


_STATUS_RANK = {"firing": 0, "pending": 1, "normal": 2, "no_data": 3, UNEVALUATED: 4}


def worst_first(items: Sequence[VitalCurrent]) -> list[VitalCurrent]:
    """Firing red … blue, pending red … blue, normal, then those without a value; within each,
    by value in the bad direction (highest first where higher is worse)."""

    def key(item: VitalCurrent) -> tuple[int, int, int, float, str]:
        level = AlertLevel(item.level).rank if item.level else 0
        sign = -1.0 if item.direction == Direction.higher_is_worse.value else 1.0
        value = 0.0 if item.value is None else sign * item.value
        return (
            _STATUS_RANK.get(item.status, 5),
            -level,
            item.value is None,
            value,
            item.area_code,
        )

    return sorted(items, key=key)


def _shift_year(at: datetime, years: int) -> datetime:
    try:
        return at.replace(year=at.year + years)
    except ValueError:  # 29 February
        return at.replace(year=at.year + years, day=28)


def window_points(
    session: Session,
    code: str,
    area: str,
    start: datetime,
    end: datetime,
    step: int,
    refresh_s: int,
    shift: int = 0,
) -> list[TrendPoint]:
    """The points of [start, end] moved `shift` seconds forward: every stored value when `step`
    is the refresh interval, else buckets of `step` seconds (mean, min and max) read in SQL."""
    if step > refresh_s:
        return store.trend_buckets(session, code, area, start, end, step, shift)
    moved = timedelta(seconds=shift)
    return [
        TrendPoint(p.at + moved, p.value)
        for p in store.trend_points(session, code, area, start, end)
    ]


def baselines(
    session: Session,
    d: IndicatorDefinition,
    area: str,
    start: datetime,
    end: datetime,
    step: int,
) -> dict[str, tuple[TrendPoint, ...]]:
    """Each of the definition's baselines: the points of the earlier window, moved forward
    (bucketed like the trend's own points when `step` exceeds the refresh interval)."""
    refresh_s = int(d.refresh.total_seconds())
    out: dict[str, tuple[TrendPoint, ...]] = {}
    for b in d.baselines:
        if b is Baseline.year_on_year:
            before = _shift_year(start, -1)
            if step > refresh_s:
                shift = int((start - before).total_seconds())
                points = store.trend_buckets(
                    session, d.code, area, before, _shift_year(end, -1), step, shift
                )
                out[b.value] = tuple(points)
                continue
            points = store.trend_points(session, d.code, area, before, _shift_year(end, -1))
            out[b.value] = tuple(TrendPoint(_shift_year(p.at, 1), p.value) for p in points)
            continue
        moved = end - start if b is Baseline.period_on_period else timedelta(days=7)
        out[b.value] = tuple(
            window_points(
                session,
                d.code,
                area,
                start - moved,
                end - moved,
                step,
                refresh_s,
                int(moved.total_seconds()),
            )
        )
    return out


def inside(code: str, scopes: Sequence[str], root: str) -> bool:
    """Whether an actor bound to `scopes` (area codes; none: the whole city) may see `code`."""
    if not scopes:
        return True
    if code == root:  # the city only to one bound to it (a district root: bound to the district)
        return root in scopes
    return any(code.startswith(s) for s in scopes)


def children(
    refs: Sequence[AreaRef], parent: AreaRef, root: str, scopes: Sequence[str]
) -> list[AreaRef]:
    """The areas of `refs` below `parent` (everything below the root), never the parent
    itself (a district root is listed among the districts), within the actor's scopes."""
    return [
        r
        for r in refs
        if r.code != parent.code
        and (parent.code == root or r.code.startswith(parent.code))
        and inside(r.code, scopes, root)
    ]


def states_by_area(
    states: Mapping[tuple[str, str], IndicatorState], code: str
) -> dict[str, IndicatorState]:
    return {area: s for (c, area), s in states.items() if c == code}
