"""The evaluator against a reference written minute by minute, on random series: durations and
hysteresis give the same transitions at the same instants, and ticks between readings (at any
instant) never change them."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from cityops.sensing.model import Reading
from cityops.sensing.rules.public import (
    Op,
    Rule,
    RuleCleared,
    RuleEvaluator,
    RuleFired,
    Scope,
    Threshold,
)

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def reference(
    readings: dict[int, float],
    end: int,
    fire: Callable[[float], bool],
    clear: Callable[[float], bool],
    fire_for: int,
    clear_for: int,
) -> list[tuple[str, int]]:
    """The value read at minute j holds over [j, next reading); a phase's condition must hold on
    every minute s .. s+D-1 to change the phase at s + D (at s when D is 0), no later than
    `end`; clearing needs the clear condition while the condition itself does not hold."""
    value: dict[int, float] = {}
    current = readings[0]
    for j in range(end + 1):
        current = readings.get(j, current)
        value[j] = current
    out: list[tuple[str, int]] = []
    k, firing = 0, False
    while k <= end:
        if firing:
            holds, need = (lambda j: clear(value[j]) and not fire(value[j])), clear_for
        else:
            holds, need = (lambda j: fire(value[j])), fire_for
        s = next((j for j in range(k, end + 1) if holds(j)), None)
        if s is None:
            break
        run_end = next((j for j in range(s, end + 1) if not holds(j)), end + 1)
        if need == 0 or s + need <= min(run_end, end):
            at = s + need
            out.append(("cleared" if firing else "fired", at))
            firing, k = not firing, at
        else:
            k = run_end
    return out


@pytest.mark.parametrize("seed", range(300))
def test_random_series_match_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    fire_for, clear_for = rng.randint(0, 5), rng.randint(0, 5)
    custom_clear = rng.random() < 0.5
    rule = Rule(
        code="r",
        name="r",
        scope=Scope(device_type="t"),
        condition=Threshold("x", Op.gt, 6),
        for_duration=timedelta(minutes=fire_for),
        clear_condition=Threshold("x", Op.lt, 4) if custom_clear else None,
        clear_for=timedelta(minutes=clear_for),
    )
    minutes, at = [], 0
    for _ in range(rng.randint(5, 40)):
        minutes.append(at)
        at += rng.randint(1, 4)
    readings = {m: float(rng.randint(0, 10)) for m in minutes}
    end = minutes[-1] + rng.randint(0, 6)

    ev = RuleEvaluator(rule, "D")
    got: list[tuple[str, int]] = []

    def take(transitions: list) -> None:
        for t in transitions:
            kind = "fired" if isinstance(t, RuleFired) else "cleared"
            assert isinstance(t, RuleFired | RuleCleared)
            got.append((kind, round((t.ts - T0).total_seconds() / 60)))

    previous = 0.0
    for m in minutes:
        if rng.random() < 0.4 and m > previous:  # a tick somewhere between two readings
            take(ev.tick(T0 + timedelta(minutes=rng.uniform(previous, m))))
        take(ev.observe(Reading("D", "x", T0 + timedelta(minutes=m), readings[m])))
        previous = m
    take(ev.tick(T0 + timedelta(minutes=end)))

    def above(v: float) -> bool:
        return v > 6

    def below(v: float) -> bool:
        return v < 4 if custom_clear else not v > 6

    assert got == reference(readings, end, above, below, fire_for, clear_for)
