"""The threshold state machine of one indicator in one area: Normal → Pending → Firing, NoData.

Called once per refresh interval with the interval's value (None: no value came):

- Each level (蓝/黄/橙/红) keeps a streak: consecutive evaluations with the value at or beyond
  it (at or above with higher_is_worse, at or below with higher_is_better).
- Normal → Pending: the value reaches a level. Pending → Firing: some level's streak reaches
  `for_evaluations`; it fires at the most severe such level. Pending → Normal: the value falls
  below every level before that.
- While Firing, escalation waits for the higher level's streak to reach `for_evaluations`, as
  firing did; de-escalation is immediate (to the level the value still holds); resolution
  (Firing → Normal) needs `resolve_evaluations` consecutive values below every level.
- `nodata_intervals` consecutive intervals without a value → NoData (from any state); the
  next value leaves NoData through Normal and is judged from scratch.
- With `for_evaluations = 1` a value at a level fires at once (no Pending).

Each call returns the new state and the transitions it made, as typed records; when the
indicator fires, or escalates, at or above its policy's `min_level`, `trigger` carries the
policy's action (raise an alarm or open a case) for the runtime to carry out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from cityops.insight.vitals.definitions import (
    ALERT_LEVELS,
    AlertLevel,
    FiringAction,
    IndicatorDefinition,
)


class VitalStatus(StrEnum):
    normal = "normal"
    pending = "pending"
    firing = "firing"
    no_data = "no_data"


@dataclass(frozen=True)
class IndicatorState:
    """Where one (indicator, area) stands after an evaluation."""

    indicator: str
    area: str
    status: VitalStatus
    level: AlertLevel | None  # the pending or firing level; None when normal / no data
    since: datetime  # when the status (or the firing level) last changed
    streaks: tuple[int, int, int, int] = (0, 0, 0, 0)  # blue, yellow, orange, red
    below: int = 0  # consecutive values below every level
    missed: int = 0  # consecutive intervals without a value
    value: float | None = None  # the last value seen
    evaluated_at: datetime | None = None


@dataclass(frozen=True)
class VitalTransition:
    indicator: str
    area: str
    at: datetime
    from_status: VitalStatus
    to_status: VitalStatus
    from_level: AlertLevel | None
    to_level: AlertLevel | None
    value: float | None


@dataclass(frozen=True)
class VitalEvaluation:
    state: IndicatorState
    transitions: tuple[VitalTransition, ...]
    trigger: FiringAction | None  # the policy action to take now, if any


def initial_state(indicator: str, area: str, at: datetime) -> IndicatorState:
    return IndicatorState(indicator, area, VitalStatus.normal, None, at)


def _move(
    state: IndicatorState,
    status: VitalStatus,
    level: AlertLevel | None,
    at: datetime,
    out: list[VitalTransition],
) -> IndicatorState:
    if (status, level) == (state.status, state.level):
        return state
    out.append(
        VitalTransition(
            state.indicator, state.area, at, state.status, status, state.level, level, state.value
        )
    )
    return replace(state, status=status, level=level, since=at)


def evaluate_vital(
    definition: IndicatorDefinition,
    previous: IndicatorState | None,
    value: float | None,
    at: datetime,
    area: str,
) -> VitalEvaluation:
    """One evaluation of `definition` in `area` at `at` with this interval's `value`."""
    if previous is not None and (previous.indicator, previous.area) != (definition.code, area):
        raise ValueError(f"state of {previous.indicator}/{previous.area}, not {definition.code}")
    state = previous or initial_state(definition.code, area, at)
    out: list[VitalTransition] = []
    if value is None:
        state = replace(state, missed=state.missed + 1, evaluated_at=at)
        if state.missed >= definition.nodata_intervals:
            state = _move(state, VitalStatus.no_data, None, at, out)
            state = replace(state, streaks=(0, 0, 0, 0), below=0)
        return VitalEvaluation(state, tuple(out), None)

    if state.status is VitalStatus.no_data:
        state = _move(state, VitalStatus.normal, None, at, out)
    state = replace(state, value=value, missed=0, evaluated_at=at)
    thresholds = definition.thresholds
    reached = [thresholds is not None and thresholds.reached(lv, value) for lv in ALERT_LEVELS]
    s = tuple(n + 1 if hit else 0 for n, hit in zip(state.streaks, reached, strict=True))
    streaks: tuple[int, int, int, int] = (s[0], s[1], s[2], s[3])
    current = next(
        (lv for lv, hit in zip(ALERT_LEVELS[::-1], reached[::-1], strict=True) if hit), None
    )
    due = [
        lv for lv, n in zip(ALERT_LEVELS, streaks, strict=True) if n >= definition.for_evaluations
    ]
    candidate = due[-1] if due else None
    was_firing = state.status is VitalStatus.firing
    old_level = state.level
    state = replace(state, streaks=streaks, below=0 if current else state.below + 1)

    if was_firing:
        if current is None:
            if state.below >= definition.resolve_evaluations:
                state = _move(state, VitalStatus.normal, None, at, out)
        elif old_level is not None and candidate is not None and candidate.rank > old_level.rank:
            state = _move(state, VitalStatus.firing, candidate, at, out)  # escalation
        elif old_level is not None and current.rank < old_level.rank:
            state = _move(state, VitalStatus.firing, current, at, out)  # de-escalation
    elif candidate is not None:
        state = _move(state, VitalStatus.firing, candidate, at, out)
    elif current is not None:
        state = _move(state, VitalStatus.pending, current, at, out)
    else:
        state = _move(state, VitalStatus.normal, None, at, out)
    return VitalEvaluation(state, tuple(out), _trigger(definition, old_level, was_firing, state))


def _trigger(
    definition: IndicatorDefinition,
    old_level: AlertLevel | None,
    was_firing: bool,
    state: IndicatorState,
) -> FiringAction | None:
    policy = definition.on_firing
    if policy.action is FiringAction.none or state.status is not VitalStatus.firing:
        return None
    assert state.level is not None  # firing always has a level
    if state.level.rank < policy.min_level.rank:
        return None
    already = was_firing and old_level is not None and old_level.rank >= policy.min_level.rank
    return None if already else policy.action
