"""The streaming evaluation of one rule for one device (规则计算), with bounded state.

`observe(reading)` and `tick(now)` return the transitions they cause: `RuleFired` when the
condition has held for the rule's `for`, `RuleCleared` when the clear condition (by default: the
condition no longer holds) has held for `clear_for`. Between two evaluations nothing changes but
time, so each transition is dated at the exact instant its duration elapsed, however late the
evaluation that finds it.

Semantics, in the words of docs/sensing/rules.md:
- A metric keeps its latest reading's value until the next reading (sample and hold).
- `observe` first lets time run up to the reading's instant with the old values, then applies
  the reading: a value that held over [t0, t1) counts for t1 - t0.
- A reading not newer than the newest already seen of its metric (a duplicate or one that came
  out of order) is dropped and counted in `dropped`: it cannot rewrite transitions already
  returned. A reading newer than its metric's newest but older than an instant already
  evaluated (a `tick` ran ahead of it) is applied as of that instant.
- No data: the silence is counted from the metric's last reading, or from `started_at` (the
  evaluator's first call) when there has been none.
- A clear condition clears only while the condition itself does not hold, so a clear condition
  that overlaps the condition cannot make the rule fire and clear on every reading.
- A time window limits firing only: the condition's duration counts inside one occurrence of the
  window; an alarm already raised clears by its clear condition at any hour.
- State is a fixed number of entries per metric the rule reads (two readings and one instant):
  readings of other metrics are not kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cityops.kernel.clock import SHANGHAI
from cityops.sensing.model import Reading
from cityops.sensing.rules.model import (
    AllOf,
    AnyOf,
    Condition,
    NoData,
    RateOfChange,
    Rule,
    Threshold,
    Unchanged,
    describe,
    describe_not,
)

DEFAULT_INTERVAL = timedelta(minutes=1)
_EPSILON = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class RuleFired:
    """The rule's condition has held for its `for` on the device since `since`; `ts` is the
    instant it fired (since + for), `values` the metrics' values then, `text` what the alarm
    says to the operation centre (`PM2.5超标：pm25 > 150，自 2026-11-23 08:55 起`)."""

    rule: Rule
    device_code: str
    ts: datetime
    since: datetime
    values: Mapping[str, float]
    text: str


@dataclass(frozen=True, slots=True)
class RuleCleared:
    """The alarm that fired at `fired_at` cleared at `ts`. `peak` is the most extreme value of
    the rule's first metric from `since` (the condition's start) to `ts`, None without one;
    `text` says since when the clear condition held
    (`PM2.5超标 已恢复：pm25 不再 > 150（自 2026-11-23 11:40 起）`)."""

    rule: Rule
    device_code: str
    ts: datetime
    since: datetime
    fired_at: datetime
    peak: float | None
    values: Mapping[str, float]
    text: str


Transition = RuleFired | RuleCleared


@dataclass(frozen=True, slots=True)
class _Point:
    ts: datetime
    value: float


class RuleEvaluator:
    """One rule on one device. `intervals` are the expected reporting intervals of the device
    type's metrics (its metric specs), used by no-data conditions that name none."""

    def __init__(
        self,
        rule: Rule,
        device_code: str,
        *,
        intervals: Mapping[str, timedelta] | None = None,
        started_at: datetime | None = None,
    ) -> None:
        self.rule = rule
        self.device_code = device_code
        self._metrics = frozenset(rule.metrics)
        self._intervals = {m: intervals[m] for m in self._metrics if intervals and m in intervals}
        self._default_interval = min(intervals.values()) if intervals else DEFAULT_INTERVAL
        first = rule.metrics[0] if rule.metrics else None
        self._primary = first
        self._upward = _upward(rule.condition, first)
        self._latest: dict[str, _Point] = {}
        self._previous: dict[str, _Point] = {}
        self._any_seen: datetime | None = None
        self._changed_at: datetime | None = None
        self._clock: datetime | None = started_at
        self._origin: datetime | None = started_at
        self._floor: datetime | None = started_at
        self._pending: datetime | None = None  # when the awaited condition began to hold
        self._since: datetime | None = None  # when the firing condition began (while firing)
        self._fired_at: datetime | None = None
        self._peak: float | None = None
        self.dropped = 0

    @property
    def firing(self) -> bool:
        return self._fired_at is not None

    @property
    def fired_at(self) -> datetime | None:
        """When the active alarm fired; None when the rule is not firing."""
        return self._fired_at

    @property
    def since(self) -> datetime | None:
        """When the condition of the active alarm began to hold; None when not firing."""
        return self._since

    @property
    def peak(self) -> float | None:
        """The most extreme value of the rule's first metric since the condition began."""
        return self._peak

    @property
    def state_size(self) -> int:
        """Entries held: bounded by 2 x the rule's metrics plus a constant."""
        return len(self._latest) + len(self._previous)

    def resume(self, fired_at: datetime, since: datetime | None = None) -> None:
        """Go on firing from an alarm kept in the store (after a restart), so that the rule
        clears it when its clear condition holds instead of firing it again."""
        self._start(fired_at)
        self._fired_at, self._since = fired_at, since or fired_at
        self._pending = None

    def tick(self, now: datetime) -> list[Transition]:
        """Let time run to `now` (no new readings): durations elapse, silences begin."""
        self._start(now)
        assert self._clock is not None
        if now < self._clock:
            return []
        return self._run_to(now)

    def observe(self, reading: Reading) -> list[Transition]:
        if reading.device_code != self.device_code:
            raise ValueError(f"reading of {reading.device_code} given to {self.device_code}")
        self._start(reading.ts)
        assert self._clock is not None
        relevant = reading.metric in self._metrics
        newest = self._latest.get(reading.metric) if relevant else None
        if newest is not None and reading.ts <= newest.ts:
            self.dropped += 1
            return []
        at = max(reading.ts, self._clock)
        out = self._run_to(at)
        self._any_seen = reading.ts if self._any_seen is None else max(self._any_seen, reading.ts)
        self._changed_at = at
        if relevant:
            if newest is not None:
                self._previous[reading.metric] = newest
            self._latest[reading.metric] = _Point(reading.ts, reading.value)
        out += self._evaluate(at)
        watching = self.firing or self._pending is not None
        if relevant and reading.metric == self._primary and watching:
            peak = self._peak
            if peak is None or (reading.value > peak if self._upward else reading.value < peak):
                self._peak = reading.value
        return out

    def _start(self, ts: datetime) -> None:
        if ts.tzinfo is None:
            raise ValueError("instants given to an evaluator are timezone-aware")
        if self._clock is None:
            self._clock = self._origin = self._floor = ts

    def _run_to(self, t: datetime) -> list[Transition]:
        out: list[Transition] = []
        window = self.rule.window
        if window is not None and not self.firing:
            assert self._clock is not None
            closes = window.occurrence_end(self._clock)
            if closes is not None and closes <= t:  # the window closed since: look just before,
                out += self._evaluate(closes - _EPSILON)  # for what time alone brought in it
        return out + self._evaluate(t)

    def _evaluate(self, t: datetime) -> list[Transition]:
        out: list[Transition] = []
        for _ in range(3):  # at most fire, clear, fire again within one stretch of time
            if self._pending is not None:
                at = self._pending + self._needed()
                if at <= t and self._open_throughout(at) and not self._returned_before(at, t):
                    out.append(self._transition(at))
                    continue
            held = self._held(t)
            if held is None:
                self._pending = None
                self._floor = t
                if not self.firing:
                    self._peak = None
                break
            assert self._floor is not None
            if self._pending is None:
                self._pending = max(held, self._floor)
            elif not self.firing and self.rule.window is not None:
                opened = self.rule.window.occurrence_start(t)
                if opened is not None:  # the window closed and opened again since it began
                    self._pending = max(self._pending, opened)
            at = self._pending + self._needed()
            if at > t:
                break
            out.append(self._transition(at))
        self._clock = t if self._clock is None else max(self._clock, t)
        return out

    def _needed(self) -> timedelta:
        return self.rule.clear_for if self.firing else self.rule.for_duration

    def _open_throughout(self, at: datetime) -> bool:
        window = self.rule.window
        if self.firing or window is None:
            return True
        opened = window.occurrence_start(at)
        return opened is not None and self._pending is not None and opened <= self._pending

    def _returned_before(self, at: datetime, t: datetime) -> bool:
        """While clearing: whether the condition came back by `at` with time alone (a no-data
        condition whose silence began again), which stops the clear."""
        if not self.firing:
            return False
        back = self._since_of(self.rule.condition, t)
        return back is not None and back <= at

    def _held(self, t: datetime) -> datetime | None:
        """Since when the awaited condition has held at `t` (None: it does not hold)."""
        rule = self.rule
        if self.firing:
            if self._since_of(rule.condition, t) is not None:
                return None  # a clear condition that overlaps the condition does not clear
            if rule.clear_condition is not None:
                return self._since_of(rule.clear_condition, t)
            return self._changed_at or self._origin
        held = self._since_of(rule.condition, t)
        if held is not None and rule.window is not None:
            opened = rule.window.occurrence_start(t)
            return None if opened is None else max(held, opened)
        return held

    def _since_of(self, node: Condition, t: datetime) -> datetime | None:
        if isinstance(node, AllOf):
            found = [self._since_of(c, t) for c in node.conditions]
            return None if any(s is None for s in found) else max(s for s in found if s)
        if isinstance(node, AnyOf):
            holding = [s for s in (self._since_of(c, t) for c in node.conditions) if s]
            return min(holding) if holding else None
        if isinstance(node, NoData):
            last = self._any_seen if node.metric is None else self._seen(node.metric)
            base = last or self._origin
            assert base is not None
            deadline = base + node.intervals * self._interval(node)
            return deadline if t >= deadline else None
        latest = self._latest.get(node.metric)
        if latest is None:
            return None
        if isinstance(node, Threshold):
            return latest.ts if node.op.test(latest.value, node.value) else None
        before = self._previous.get(node.metric)
        if before is None:
            return None
        if isinstance(node, Unchanged):
            return before.ts if latest.value == before.value else None
        assert isinstance(node, RateOfChange)
        rate = (latest.value - before.value) / ((latest.ts - before.ts) / node.per.span)
        return latest.ts if node.op.test(rate, node.value) else None

    def _seen(self, metric: str) -> datetime | None:
        latest = self._latest.get(metric)
        return None if latest is None else latest.ts

    def _interval(self, node: NoData) -> timedelta:
        if node.interval is not None:
            return node.interval
        if node.metric is not None:
            return self._intervals.get(node.metric, self._default_interval)
        return self._default_interval

    def _values(self) -> dict[str, float]:
        return {m: p.value for m, p in self._latest.items()}

    def _transition(self, at: datetime) -> Transition:
        rule, since = self.rule, self._pending
        assert since is not None
        self._pending = None
        self._floor = at
        if self._fired_at is None:
            self._fired_at, self._since = at, since
            text = f"{rule.name}：{describe(rule.condition)}，自 {_local(since)} 起"
            return RuleFired(rule, self.device_code, at, since, self._values(), text)
        fired_at, began = self._fired_at, self._since or self._fired_at
        self._fired_at = self._since = None
        peak, self._peak = self._peak, None
        clear = rule.clear_condition
        shown = describe(clear) if clear is not None else describe_not(rule.condition)
        text = f"{rule.name} 已恢复：{shown}（自 {_local(since)} 起）"
        return RuleCleared(rule, self.device_code, at, began, fired_at, peak, self._values(), text)


def _upward(condition: Condition, metric: str | None) -> bool:
    """Whether the rule alarms on high values of `metric`: its first threshold or rate says."""
    return _direction(condition, metric) is not False


def _direction(condition: Condition, metric: str | None) -> bool | None:
    if isinstance(condition, AllOf | AnyOf):
        for child in condition.conditions:
            found = _direction(child, metric)
            if found is not None:
                return found
        return None
    if isinstance(condition, Threshold | RateOfChange) and condition.metric == metric:
        return condition.op.upward
    return None


def _local(instant: datetime) -> str:
    """An instant as people in the operation centre read it: Beijing time, to the minute."""
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
