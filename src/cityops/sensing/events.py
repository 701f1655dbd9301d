"""Sensing events: what happened to an alarm, written to the outbox in the transaction that
changed it and published after commit. A layer above both (alarm_cases) turns them into cases;
the case engine never imports sensing."""

from __future__ import annotations

from dataclasses import dataclass

from cityops.kernel.events import Event


@dataclass(frozen=True, kw_only=True)
class SensingEvent(Event, abstract=True):
    """Base of every alarm event: which alarm, of what, where."""

    alarm_id: int
    kind: str  # rule, offline (one silent device), group (many silent together), area (no device)
    severity: str
    rule_code: str = ""
    device_code: str = ""
    area_code: str = ""


@dataclass(frozen=True, kw_only=True)
class AlarmRaised(SensingEvent, wire="sensing.alarm_raised", version=1):  # 告警产生
    title: str
    fault: str = ""  # offline, stuck, battery_low: a device fault
    members: int = 0  # devices of a group alarm


@dataclass(frozen=True, kw_only=True)
class AlarmCleared(SensingEvent, wire="sensing.alarm_cleared", version=1):  # 告警恢复
    manual: bool = False  # cleared by a person, not by its condition


@dataclass(frozen=True, kw_only=True)
class AlarmEscalated(SensingEvent, wire="sensing.alarm_escalated", version=1):  # 告警升级
    level: int


@dataclass(frozen=True, kw_only=True)
class AlarmSeverityChanged(SensingEvent, wire="sensing.alarm_severity_changed", version=1):
    """An area's alarm raised again by its origin at another severity (`severity`: the new)."""

    previous: str


@dataclass(frozen=True, kw_only=True)
class AlarmAcknowledged(SensingEvent, wire="sensing.alarm_acknowledged", version=1):  # 确认
    pass


@dataclass(frozen=True, kw_only=True)
class AlarmCaseOpened(SensingEvent, wire="sensing.alarm_case_opened", version=1):  # 转案件
    case_id: int
