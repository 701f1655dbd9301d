"""An indicator with `active_hours` is due only at instants inside them, and the hours outside
count as no missed interval: street lights (亮灯率) are judged at night only and never go to
NoData by day."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from cityops.insight.vitals.definitions import ActiveHours, IndicatorDefinition
from cityops.insight.vitals.registry import parse_definition
from cityops.insight.vitals.states import IndicatorState, VitalStatus, evaluate_vital
from cityops.insight.vitals_runtime.timing import is_due
from cityops.kernel.clock import SHANGHAI

NIGHT = ActiveHours(time(18), time(6))
QUARTER = timedelta(minutes=15)


def _sh(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 7, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def _lights(active: ActiveHours | None) -> IndicatorDefinition:
    d = parse_definition(
        {
            "code": "streetlight_on_rate",
            "name": {"zh": "路灯亮灯率", "en": "Street lights on"},
            "unit": "ratio",
            "category": "facilities",
            "source": "sensing",
            "metric": "lamp_on",
            "aggregation": "mean",
            "refresh": "15m",
            "levels": ["city"],
            "direction": "higher_is_better",
            "thresholds": {"blue": 0.98, "yellow": 0.95, "orange": 0.9},
            "nodata_intervals": 3,
        }
    )
    return replace(d, active_hours=active)


def test_due_inside_the_hours() -> None:
    assert is_due(_sh(1, 20, 7), QUARTER, None, NIGHT) == _sh(1, 20, 0)
    assert is_due(_sh(1, 18, 0), QUARTER, _sh(1, 5, 45), NIGHT) == _sh(1, 18, 0)
    # past midnight, up to the last instant before the end
    assert is_due(_sh(2, 2, 20), QUARTER, _sh(2, 2, 0), NIGHT) == _sh(2, 2, 15)
    assert is_due(_sh(2, 5, 59), QUARTER, _sh(2, 5, 30), NIGHT) == _sh(2, 5, 45)


def test_not_due_outside_the_hours() -> None:
    for now in (_sh(2, 6, 0), _sh(2, 6, 14), _sh(2, 12, 0), _sh(2, 17, 59)):
        assert is_due(now, QUARTER, _sh(2, 5, 45), NIGHT) is None
        assert is_due(now, QUARTER, None, NIGHT) is None
        assert is_due(now, QUARTER, _sh(2, 5, 45)) is not None  # without hours it is due


def _a_day(d: IndicatorDefinition, value_of: dict[bool, float | None]) -> list[IndicatorState]:
    """Run the job every minute from 18:00 for a day; the lamps' value is value_of[lit]."""
    state: IndicatorState | None = None
    last: datetime | None = None
    states = []
    now = _sh(1, 18, 0)
    while now < _sh(2, 18, 1):
        at = is_due(now, d.refresh, last, d.active_hours)
        if at is not None:
            lit = NIGHT.contains(at)
            state = evaluate_vital(d, state, value_of[lit], at, "330100").state
            states.append(state)
            last = at
        now += timedelta(minutes=1)
    return states


def test_no_data_is_not_reached_by_day() -> None:
    # lamps all on at night and no reading by day (sensors powered with the lamps): without
    # hours the empty daytime intervals would take it to NoData
    silent_by_day = {True: 1.0, False: None}
    states = _a_day(_lights(NIGHT), silent_by_day)
    assert len(states) == 12 * 4 + 1  # 18:00 … 05:45, and 18:00 the next day
    assert all(s.status is VitalStatus.normal and s.missed == 0 for s in states)
    assert states[-1].evaluated_at == _sh(2, 18, 0)
    every_hour = _a_day(_lights(None), silent_by_day)
    assert len(every_hour) == 24 * 4 + 1
    assert any(s.status is VitalStatus.no_data for s in every_hour)


def test_daylight_zeros_do_not_fire() -> None:
    off_by_day = {True: 1.0, False: 0.0}
    assert all(s.level is None for s in _a_day(_lights(NIGHT), off_by_day))
    assert any(s.status is VitalStatus.firing for s in _a_day(_lights(None), off_by_day))
