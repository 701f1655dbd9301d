"""Alarm rules as data (告警规则): scope, condition tree, durations, clear condition (hysteresis),
time window and case policy. Pure: no I/O, no framework.

A rule is validated when it is built; a mistake raises `RuleError`, a `ValidationFailed` that
carries the path of the offending field (`when.all_of[1].threshold.op`) and a plain message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from math import isfinite
from typing import TypeAlias

from cityops.kernel.clock import SHANGHAI
from cityops.kernel.errors import ValidationFailed

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
MAX_CONDITIONS = 32  # nodes of one condition tree: keeps an evaluator's state small and bounded
MAX_NO_DATA_INTERVALS = 10_000
MAX_DURATION = timedelta(days=366)  # any duration or silence a rule names


class RuleError(ValidationFailed):
    """A rule that cannot be accepted: `path` names the field, `reason` says what is wrong."""

    code = "invalid_rule"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason, path=path)
        self.path = path
        self.reason = reason

    def within(self, prefix: str) -> RuleError:
        """The same error with its path placed under `prefix`."""
        return RuleError(f"{prefix}.{self.path}" if self.path else prefix, self.reason)


class Severity(StrEnum):
    """How bad an alarm is (告警级别), most severe first."""

    critical = "critical"  # 紧急
    major = "major"  # 重要
    minor = "minor"  # 次要
    warning = "warning"  # 提示

    @property
    def label(self) -> str:
        """The word the operation centre uses (紧急, 重要, 次要, 提示)."""
        return _SEVERITY_LABELS[self]


class Op(StrEnum):
    gt = ">"
    ge = ">="
    lt = "<"
    le = "<="

    def test(self, left: float, right: float) -> bool:
        if self is Op.gt:
            return left > right
        if self is Op.ge:
            return left >= right
        if self is Op.lt:
            return left < right
        return left <= right

    @property
    def upward(self) -> bool:
        """True when the alarm side is high values (its peak is a maximum)."""
        return self in (Op.gt, Op.ge)


class RatePer(StrEnum):
    minute = "minute"
    hour = "hour"

    @property
    def span(self) -> timedelta:
        return timedelta(minutes=1) if self is RatePer.minute else timedelta(hours=1)

    @property
    def label(self) -> str:
        return "分钟" if self is RatePer.minute else "小时"


class DeviceFault(StrEnum):
    """A fault of the device itself rather than of what it measures (设备故障): its alarms open a
    maintenance case for the device's O&M unit."""

    offline = "offline"
    stuck = "stuck"
    battery_low = "battery_low"

    @property
    def label(self) -> str:
        """The fault in the words of a case (离线, 数据恒值, 电量低)."""
        return _FAULT_LABELS[self]


_SEVERITY_LABELS = {
    Severity.critical: "紧急",
    Severity.major: "重要",
    Severity.minor: "次要",
    Severity.warning: "提示",
}
_FAULT_LABELS = {
    DeviceFault.offline: "离线",
    DeviceFault.stuck: "数据恒值",
    DeviceFault.battery_low: "电量低",
}


@dataclass(frozen=True, slots=True)
class Threshold:
    """`metric op value`, e.g. pm25 > 150, on the metric's latest reading."""

    metric: str
    op: Op
    value: float


@dataclass(frozen=True, slots=True)
class RateOfChange:
    """The change between the metric's last two readings, per minute or per hour, `op value`."""

    metric: str
    op: Op
    value: float
    per: RatePer = RatePer.minute


@dataclass(frozen=True, slots=True)
class NoData:
    """No reading of `metric` (None: of any metric) for `intervals` expected intervals. The
    interval is `interval` when given, else the metric spec's, which the evaluator is told."""

    metric: str | None
    intervals: int
    interval: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Unchanged:
    """The metric's latest reading equals the one before (a stuck sensor, with `for`)."""

    metric: str


@dataclass(frozen=True, slots=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    conditions: tuple[Condition, ...]


Condition: TypeAlias = Threshold | RateOfChange | NoData | Unchanged | AllOf | AnyOf


def condition_metrics(condition: Condition) -> tuple[str, ...]:
    """The metrics a condition reads, in order of first mention, without repeats."""
    found: dict[str, None] = {}

    def walk(node: Condition) -> None:
        if isinstance(node, AllOf | AnyOf):
            for child in node.conditions:
                walk(child)
        elif node.metric is not None:
            found.setdefault(node.metric, None)

    walk(condition)
    return tuple(found)


def describe(condition: Condition) -> str:
    """The condition as an operator reads it on an alarm: `pm25 > 150`, `连续 3 个周期无数据`,
    `（pm25 > 150 且 pm10 > 250）`. Metric codes and numbers are shown as they are."""
    if isinstance(condition, Threshold):
        return f"{condition.metric} {condition.op} {condition.value:g}"
    if isinstance(condition, RateOfChange):
        rate = f"{condition.value:g}/{condition.per.label}"
        return f"{condition.metric} 变化率 {condition.op} {rate}"
    if isinstance(condition, NoData):
        which = f"{condition.metric} " if condition.metric is not None else ""
        return f"{which}连续 {condition.intervals} 个周期无数据"
    if isinstance(condition, Unchanged):
        return f"{condition.metric} 读数不变"
    joiner = " 且 " if isinstance(condition, AllOf) else " 或 "
    return "（" + joiner.join(describe(c) for c in condition.conditions) + "）"


def describe_not(condition: Condition) -> str:
    """The condition no longer holding, in words: `pm25 不再 > 150`, `重新有数据`."""
    if isinstance(condition, Threshold):
        return f"{condition.metric} 不再 {condition.op} {condition.value:g}"
    if isinstance(condition, RateOfChange):
        rate = f"{condition.value:g}/{condition.per.label}"
        return f"{condition.metric} 变化率不再 {condition.op} {rate}"
    if isinstance(condition, NoData):
        return f"{condition.metric} 重新有数据" if condition.metric is not None else "重新有数据"
    if isinstance(condition, Unchanged):
        return f"{condition.metric} 读数已变化"
    return "不再满足" + describe(condition)


def check_condition(condition: Condition, path: str) -> int:
    """RuleError for a malformed tree; returns the number of nodes."""
    if isinstance(condition, AllOf | AnyOf):
        kind = "all_of" if isinstance(condition, AllOf) else "any_of"
        if not condition.conditions:
            raise RuleError(f"{path}.{kind}", "needs at least one condition")
        return 1 + sum(
            check_condition(c, f"{path}.{kind}[{i}]") for i, c in enumerate(condition.conditions)
        )
    if isinstance(condition, NoData):
        where = f"{path}.no_data"
        if condition.metric is not None:
            _check_code(condition.metric, f"{where}.metric")
        if not 1 <= condition.intervals <= MAX_NO_DATA_INTERVALS:
            raise RuleError(f"{where}.intervals", f"must be between 1 and {MAX_NO_DATA_INTERVALS}")
        if condition.interval is not None and condition.interval <= timedelta(0):
            raise RuleError(f"{where}.interval", "must be longer than zero")
        if condition.interval is not None and condition.interval * condition.intervals > (
            MAX_DURATION
        ):
            raise RuleError(where, "the silence must be at most 366 days")
        return 1
    if isinstance(condition, Threshold | RateOfChange | Unchanged):
        kind = {Threshold: "threshold", RateOfChange: "rate", Unchanged: "unchanged"}[
            type(condition)
        ]
        _check_code(condition.metric, f"{path}.{kind}.metric")
        if isinstance(condition, Threshold | RateOfChange) and not isfinite(condition.value):
            raise RuleError(f"{path}.{kind}.value", "must be a finite number")
        return 1
    raise RuleError(path, f"unknown condition {type(condition).__name__}")


def _check_code(value: str, path: str) -> None:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise RuleError(
            path, f"must be 1-64 letters, digits or _ . : - (starting with one), not {value!r}"
        )


@dataclass(frozen=True, slots=True)
class Scope:
    """Which devices a rule watches: a device type, an area (its code and every area under it,
    by code prefix) or one device. Fields given together must all match."""

    device_type: str | None = None
    area_prefix: str | None = None
    device_code: str | None = None

    def matches(self, *, device_type: str, area_code: str | None, device_code: str) -> bool:
        if self.device_type is not None and device_type != self.device_type:
            return False
        if self.device_code is not None and device_code != self.device_code:
            return False
        return self.area_prefix is None or (
            area_code is not None and area_code.startswith(self.area_prefix)
        )


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """When a rule may fire, in Asia/Shanghai: on `days` (ISO 1 = Monday … 7 = Sunday) from
    `start` to `end`. An `end` at or before `start` runs past midnight into the next day and
    belongs to the day it started on (fri 22:00-06:00 covers Saturday 03:00, not Friday 03:00);
    start == end is the whole day."""

    days: frozenset[int] = frozenset(range(1, 8))
    start: time = time(0)
    end: time = time(0)

    def occurrence_start(self, ts: datetime) -> datetime | None:
        """The instant (UTC-aware) the occurrence containing `ts` opened; None outside."""
        local = ts.astimezone(SHANGHAI)
        length = _window_length(self.start, self.end)
        for back in (0, 1):
            day = local.date() - timedelta(days=back)
            if day.isoweekday() not in self.days:
                continue
            opened = datetime.combine(day, self.start, tzinfo=SHANGHAI)
            if opened <= local < opened + length:
                return opened.astimezone(ts.tzinfo)
        return None

    def contains(self, ts: datetime) -> bool:
        return self.occurrence_start(ts) is not None

    def occurrence_end(self, ts: datetime) -> datetime | None:
        """The instant the occurrence containing `ts` closes; None outside."""
        opened = self.occurrence_start(ts)
        return None if opened is None else opened + _window_length(self.start, self.end)


def _window_length(start: time, end: time) -> timedelta:
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return timedelta(minutes=minutes if minutes > 0 else minutes + 24 * 60)


@dataclass(frozen=True, slots=True)
class CasePolicy:
    """Whether the rule's alarms open a case (转案件), in which category of the responsibility
    list, and how long after the alarm was raised if it is still active then."""

    open_case: bool = False
    category_code: str | None = None
    after: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class Rule:
    """One version of an alarm rule. `condition` must hold for `for_duration` to fire; the alarm
    clears when `clear_condition` (None: the condition no longer holds) has held for
    `clear_for`. `window` limits when it may fire (None: always). `fault` marks rules that watch
    the device's own health. Rules are immutable: a change is a new version (`revised`)."""

    code: str
    name: str
    scope: Scope
    condition: Condition
    severity: Severity = Severity.major
    version: int = 1
    for_duration: timedelta = timedelta(0)
    clear_condition: Condition | None = None
    clear_for: timedelta = timedelta(0)
    window: TimeWindow | None = None
    case: CasePolicy = field(default_factory=CasePolicy)
    fault: DeviceFault | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        _check_code(self.code, "code")
        if not isinstance(self.name, str) or not self.name.strip() or len(self.name) > 200:
            raise RuleError("name", "must be a non-empty text of at most 200 characters")
        if not isinstance(self.version, int) or isinstance(self.version, bool) or self.version < 1:
            raise RuleError("version", "must be a whole number from 1")
        if not isinstance(self.severity, Severity):
            raise RuleError("severity", f"must be one of {', '.join(Severity)}")
        scope = self.scope
        if scope.device_type is None and scope.area_prefix is None and scope.device_code is None:
            raise RuleError("scope", "must name a device type, an area or a device")
        for name, value in (
            ("device_type", scope.device_type),
            ("area", scope.area_prefix),
            ("device", scope.device_code),
        ):
            if value is not None:
                _check_code(value, f"scope.{name}")
        nodes = check_condition(self.condition, "when")
        if self.clear_condition is not None:
            nodes += check_condition(self.clear_condition, "clear_when")
        if nodes > MAX_CONDITIONS:
            raise RuleError("when", f"a rule holds at most {MAX_CONDITIONS} conditions")
        for name, span in (
            ("for", self.for_duration),
            ("clear_for", self.clear_for),
            ("case.after", self.case.after),
        ):
            if not timedelta(0) <= span <= MAX_DURATION:
                raise RuleError(name, "must be between 0s and 366d")
        if self.window is not None:
            if not self.window.days or not self.window.days <= set(range(1, 8)):
                raise RuleError("window.days", f"must be some of {', '.join(WEEKDAYS)}")
            for name, moment in (("from", self.window.start), ("to", self.window.end)):
                if moment.second or moment.microsecond or moment.tzinfo is not None:
                    raise RuleError(f"window.{name}", "must be a local time HH:MM")
        if self.case.open_case and not self.case.category_code:
            raise RuleError("case.category", "is needed when the rule opens cases")
        if self.case.category_code is not None:
            _check_code(self.case.category_code, "case.category")

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every metric the rule reads (its condition first, then its clear condition)."""
        names = list(condition_metrics(self.condition))
        if self.clear_condition is not None:
            names += [m for m in condition_metrics(self.clear_condition) if m not in names]
        return tuple(names)

    def revised(self, **changes: object) -> Rule:
        """The next version with `changes` applied (validated like any rule)."""
        return replace(self, version=self.version + 1, **changes)  # type: ignore[arg-type]
