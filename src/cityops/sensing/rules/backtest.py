"""Backtest (规则回测): what a rule would have raised over a past period, before it is switched on.

The readings run through the same `RuleEvaluator` as live telemetry, one per device, so the
backtest and the live rule cannot disagree. The caller passes the readings of the devices in the
rule's scope, sorted by time (a reading out of order is dropped, as it would be live, and
counted). An alarm still active at the end of the period has no `end`; its duration runs to the
end of the period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cityops.sensing.model import Reading
from cityops.sensing.rules.evaluator import RuleCleared, RuleEvaluator, RuleFired
from cityops.sensing.rules.model import Rule


@dataclass(frozen=True, slots=True)
class BacktestAlarm:
    """One alarm the rule would have raised: `start` when it fired, `end` when it cleared (None:
    still active at the end of the period), `since` when its condition began, `peak` the most
    extreme value of the rule's first metric from `since` to the end."""

    device_code: str
    start: datetime
    end: datetime | None
    since: datetime
    peak: float | None
    duration: timedelta


@dataclass(frozen=True, slots=True)
class DeviceSummary:
    device_code: str
    alarms: int
    duration: timedelta


@dataclass(frozen=True, slots=True)
class BacktestResult:
    rule: Rule
    period_start: datetime | None
    period_end: datetime | None
    readings: int
    dropped: int
    alarms: tuple[BacktestAlarm, ...]
    per_device: Mapping[str, DeviceSummary]

    @property
    def count(self) -> int:
        return len(self.alarms)

    @property
    def total_duration(self) -> timedelta:
        return sum((a.duration for a in self.alarms), timedelta(0))


def backtest(
    rule: Rule,
    readings: Iterable[Reading],
    *,
    until: datetime | None = None,
    intervals: Mapping[str, timedelta] | None = None,
) -> BacktestResult:
    """Run `rule` over `readings` (sorted by time, any number of devices) and let time run to
    `until` (default: the last reading), so durations and silences at the end are counted.
    `intervals` are the metrics' expected reporting intervals, for no-data conditions."""
    evaluators: dict[str, RuleEvaluator] = {}
    alarms: list[BacktestAlarm] = []
    first: datetime | None = None
    last: datetime | None = None
    count = 0
    for reading in readings:
        count += 1
        first = reading.ts if first is None else min(first, reading.ts)
        last = reading.ts if last is None else max(last, reading.ts)
        evaluator = evaluators.get(reading.device_code)
        if evaluator is None:
            evaluator = RuleEvaluator(
                rule, reading.device_code, intervals=intervals, started_at=first
            )
            evaluators[reading.device_code] = evaluator
        _collect(evaluator.observe(reading), alarms)
    end = until if until is not None else last
    if end is not None:
        for evaluator in evaluators.values():
            _collect(evaluator.tick(end), alarms)
            fired_at, since = evaluator.fired_at, evaluator.since
            if fired_at is not None and since is not None:
                alarms.append(
                    BacktestAlarm(
                        evaluator.device_code, fired_at, None, since, evaluator.peak, end - fired_at
                    )
                )
    alarms.sort(key=lambda a: (a.start, a.device_code))
    per_device: dict[str, DeviceSummary] = {}
    for alarm in alarms:
        known = per_device.get(alarm.device_code)
        per_device[alarm.device_code] = DeviceSummary(
            alarm.device_code,
            (known.alarms if known else 0) + 1,
            (known.duration if known else timedelta(0)) + alarm.duration,
        )
    return BacktestResult(
        rule=rule,
        period_start=first,
        period_end=end,
        readings=count,
        dropped=sum(e.dropped for e in evaluators.values()),
        alarms=tuple(alarms),
        per_device=per_device,
    )


def _collect(transitions: Iterable[RuleFired | RuleCleared], alarms: list[BacktestAlarm]) -> None:
    for transition in transitions:
        if isinstance(transition, RuleCleared):
            alarms.append(
                BacktestAlarm(
                    transition.device_code,
                    transition.fired_at,
                    transition.ts,
                    transition.since,
                    transition.peak,
                    transition.ts - transition.fired_at,
                )
            )
