"""The threshold state machine: pending, firing after N, escalation, de-escalation, resolving
after M, NoData after K, the higher-is-better direction and the policy trigger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cityops.insight.vitals.definitions import AlertLevel, FiringAction, IndicatorDefinition
from cityops.insight.vitals.registry import parse_definition
from cityops.insight.vitals.states import (
    IndicatorState,
    VitalEvaluation,
    VitalStatus,
    evaluate_vital,
)

T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
N, P, F, X = VitalStatus.normal, VitalStatus.pending, VitalStatus.firing, VitalStatus.no_data
Y, OR, R = AlertLevel.yellow, AlertLevel.orange, AlertLevel.red


def definition(**changes: Any) -> IndicatorDefinition:
    data: dict[str, Any] = {
        "code": "waterlogging_points",
        "name": {"zh": "积水点数", "en": "Waterlogged points"},
        "unit": "处",
        "category": "safety_lifeline",
        "source": "sensing",
        "metric": "water_depth",
        "aggregation": "count_above",
        "above": 0.15,
        "refresh": "5m",
        "levels": ["city"],
        "direction": "higher_is_worse",
        "thresholds": {"blue": 1, "yellow": 3, "orange": 5, "red": 10},
        "for_evaluations": 2,
        "resolve_evaluations": 2,
        "nodata_intervals": 3,
        **changes,
    }
    return parse_definition(data)


def run(
    d: IndicatorDefinition, values: Sequence[float | None], area: str = "A1"
) -> list[VitalEvaluation]:
    state: IndicatorState | None = None
    out = []
    for i, value in enumerate(values):
        result = evaluate_vital(d, state, value, T0 + timedelta(minutes=5 * i), area)
        state = result.state
        out.append(result)
    return out


def path(evaluations: list[VitalEvaluation]) -> list[tuple[VitalStatus, AlertLevel | None]]:
    return [(e.state.status, e.state.level) for e in evaluations]


def test_fires_after_n_consecutive_evaluations() -> None:
    results = run(definition(), [0, 3, 4, 4, 0, 0])
    assert path(results) == [(N, None), (P, Y), (F, Y), (F, Y), (F, Y), (N, None)]
    assert [len(r.transitions) for r in results] == [0, 1, 1, 0, 0, 1]
    fired = results[2].transitions[0]
    assert (fired.from_status, fired.to_status, fired.from_level, fired.to_level) == (P, F, Y, Y)
    assert (fired.indicator, fired.area, fired.at, fired.value) == (
        "waterlogging_points",
        "A1",
        T0 + timedelta(minutes=10),
        4,
    )
    assert results[2].state.since == T0 + timedelta(minutes=10)


def test_a_pending_value_that_falls_back_never_fires() -> None:
    assert path(run(definition(), [3, 0, 3, 0])) == [(P, Y), (N, None), (P, Y), (N, None)]


def test_fires_at_the_most_severe_level_held_for_n() -> None:
    assert path(run(definition(), [12, 12])) == [(P, R), (F, R)]
    # orange then red: orange was reached twice (red implies orange) → fires orange, and
    # escalates to red when red has its own two in a row
    assert path(run(definition(), [5, 12, 12])) == [(P, OR), (F, OR), (F, R)]


def test_escalation_waits_for_n_and_de_escalation_is_immediate() -> None:
    results = run(definition(), [5, 5, 12, 12, 4, 0, 0])
    assert path(results) == [(P, OR), (F, OR), (F, OR), (F, R), (F, Y), (F, Y), (N, None)]
    levels = [(t.from_level, t.to_level) for r in results for t in r.transitions]
    assert levels == [(None, OR), (OR, OR), (OR, R), (R, Y), (Y, None)]


def test_resolution_needs_m_values_below_every_level_in_a_row() -> None:
    assert path(run(definition(), [3, 3, 0, 3, 0, 0])) == [
        (P, Y),
        (F, Y),
        (F, Y),  # one below: still firing
        (F, Y),  # back at a level: the count starts again
        (F, Y),
        (N, None),
    ]


def test_for_one_evaluation_fires_at_once() -> None:
    d = definition(for_evaluations=1, resolve_evaluations=1)
    assert path(run(d, [0, 5, 0])) == [(N, None), (F, OR), (N, None)]


def test_no_data_after_k_missing_intervals() -> None:
    results = run(definition(), [3, 3, None, None, None, None, 0])
    assert path(results) == [(P, Y), (F, Y), (F, Y), (F, Y), (X, None), (X, None), (N, None)]
    assert results[4].transitions[0].from_status is F
    assert results[4].state.value == 3  # the last value seen
    assert results[6].transitions[0].from_status is X


def test_leaving_no_data_judges_the_value_from_scratch() -> None:
    results = run(definition(), [3, 3, None, None, None, 4, 4])
    assert path(results)[-2:] == [(P, Y), (F, Y)]
    assert [(t.from_status, t.to_status) for t in results[5].transitions] == [(X, N), (N, P)]


def test_a_missing_interval_does_not_break_a_streak() -> None:
    assert path(run(definition(), [3, None, 3])) == [(P, Y), (P, Y), (F, Y)]


def test_higher_is_better() -> None:
    d = definition(
        direction="higher_is_better",
        thresholds={"blue": 0.95, "yellow": 0.9, "orange": 0.85, "red": 0.8},
    )
    assert path(run(d, [0.99, 0.9, 0.8, 0.8, 0.96, 0.97])) == [
        (N, None),
        (P, Y),
        (F, Y),  # 0.8 is at or below yellow too: yellow's second in a row
        (F, R),
        (F, R),
        (N, None),
    ]


def test_without_thresholds_it_never_fires() -> None:
    d = definition(thresholds=None)
    assert path(run(d, [100, 100, 100, None, None, None])) == [(N, None)] * 5 + [(X, None)]


@pytest.mark.parametrize(
    ("policy", "values", "triggers"),
    [
        # fires yellow (at min_level blue): one trigger, none while it stays firing
        ({"action": "alarm", "min_level": "blue"}, [3, 3, 3, 12, 12],
         [None, "alarm", None, None, None]),
        # min_level orange: firing yellow does nothing; escalation to red triggers once
        ({"action": "case", "min_level": "orange", "category": "C0101"}, [3, 3, 12, 12, 12],
         [None, None, None, "case", None]),
        # after resolving, firing again triggers again
        ({"action": "alarm", "min_level": "yellow"}, [3, 3, 0, 0, 3, 3],
         [None, "alarm", None, None, None, "alarm"]),
        ({"action": "none"}, [3, 3, 12, 12], [None, None, None, None]),
    ],
)  # fmt: skip
def test_policy_trigger(
    policy: dict[str, str], values: list[float], triggers: list[str | None]
) -> None:
    results = run(definition(on_firing=policy), values)
    assert [None if r.trigger is None else r.trigger.value for r in results] == triggers
    assert all(r.trigger in (None, FiringAction(policy["action"])) for r in results)


def test_state_belongs_to_one_indicator_and_area() -> None:
    first = run(definition(), [3])[0].state
    with pytest.raises(ValueError, match="state of waterlogging_points/A1"):
        evaluate_vital(definition(), first, 3, T0, "A2")
    with pytest.raises(ValueError, match="not other_code"):
        evaluate_vital(definition(code="other_code"), first, 3, T0, "A1")
