"""Alarms as records (告警), the decisions the convergence book returns, and the case decision.

An alarm's `active` (raised / cleared) and `acked` (acknowledged or not) are independent flags:
an acknowledged alarm stays active until its condition clears, and a cleared alarm stays open
until someone acknowledges it. Records are frozen: each change is a new snapshot, which the
service stores. Pure: no I/O, no framework.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from cityops.kernel.errors import ValidationFailed
from cityops.sensing.rules.public import CasePolicy, DeviceFault, Severity

__all__ = ["Severity"]  # the rules' severity is the alarms' severity; re-exported for callers

MAX_HISTORY = 100  # the first line and the latest 99: a long-lived alarm stays small
MAX_COMMENTS = 200
MAX_COMMENT_LENGTH = 1000  # as the console says (error.invalid_comment)
MAINTENANCE_CATEGORY = "device.maintenance"


class AlarmKind(StrEnum):
    rule = "rule"  # raised by a rule on one device
    silence = "silence"  # one device went silent (offline)
    group = "group"  # many devices of one area or gateway went silent together (分组告警)
    area = "area"  # an area's alarm raised by another domain (城市体征); never in the book


class AlarmAction(StrEnum):
    raised = "raised"
    acknowledged = "acknowledged"  # 确认
    assigned = "assigned"
    commented = "commented"
    cleared = "cleared"  # 恢复
    escalated = "escalated"  # 升级
    flapping = "flapping"  # 振荡
    settled = "settled"
    members_changed = "members_changed"
    severity_changed = "severity_changed"  # an area alarm raised again at another severity


@dataclass(frozen=True, slots=True)
class DevicePlace:
    """Where a device sits, as the book needs it: its area (the finest code) and gateway."""

    area_code: str | None = None
    gateway_code: str | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    at: datetime
    by: str
    text: str


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    action: AlarmAction
    by: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Alarm:
    """One alarm. `key` says what it is about (`rule:<rule>:<device>`, `silence:<device>`,
    `group:area:<code>`, `group:gateway:<code>`); repeats of an active alarm raise its `count`
    and move `last_at`. `members` lists the devices of a group alarm."""

    alarm_id: str
    key: str
    kind: AlarmKind
    severity: Severity
    text: str
    first_at: datetime
    last_at: datetime
    rule_code: str | None = None
    rule_version: int | None = None
    device_code: str | None = None
    area_code: str | None = None
    gateway_code: str | None = None
    fault: DeviceFault | None = None
    count: int = 1
    active: bool = True
    cleared_at: datetime | None = None
    acked: bool = False
    acked_by: str | None = None
    acked_at: datetime | None = None
    assignee: str | None = None
    escalation_level: int = 0
    flapping: bool = False
    members: tuple[str, ...] = ()
    comments: tuple[Comment, ...] = ()
    history: tuple[HistoryEntry, ...] = ()

    @property
    def closed(self) -> bool:
        """Cleared and acknowledged: nothing more happens to it."""
        return not self.active and self.acked

    def noted(
        self, at: datetime, action: AlarmAction, by: str | None = None, note: str = ""
    ) -> Alarm:
        """This alarm with one more history line (bounded by MAX_HISTORY)."""
        history = (*self.history, HistoryEntry(at, action, by, note))
        if len(history) > MAX_HISTORY:
            history = history[:1] + history[-(MAX_HISTORY - 1) :]
        return replace(self, history=history)

    def acknowledged(self, by: str, at: datetime) -> Alarm:
        """Acknowledged (确认) by `by`; a second acknowledgement changes nothing."""
        if self.acked:
            return self
        acked = replace(self, acked=True, acked_by=by, acked_at=at)
        return acked.noted(at, AlarmAction.acknowledged, by)

    def assigned(self, assignee: str | None, by: str, at: datetime) -> Alarm:
        note = assignee or "取消指派"
        return replace(self, assignee=assignee).noted(at, AlarmAction.assigned, by, note)

    def commented(self, by: str, text: str, at: datetime) -> Alarm:
        text = text.strip()
        if not text or len(text) > MAX_COMMENT_LENGTH:
            raise ValidationFailed(
                f"a comment is 1 to {MAX_COMMENT_LENGTH} characters", code="invalid_comment"
            )
        if len(self.comments) >= MAX_COMMENTS:
            raise ValidationFailed(
                f"an alarm holds at most {MAX_COMMENTS} comments", code="too_many_comments"
            )
        commented = replace(self, comments=(*self.comments, Comment(at, by, text)))
        return commented.noted(at, AlarmAction.commented, by)


# What the book decides. Each carries the alarm as it is after the decision (to be stored).


@dataclass(frozen=True, slots=True)
class AlarmRaised:
    alarm: Alarm


@dataclass(frozen=True, slots=True)
class AlarmRepeated:
    """The condition came again while the alarm was active: its count went up (收敛)."""

    alarm: Alarm


@dataclass(frozen=True, slots=True)
class AlarmCleared:
    alarm: Alarm


@dataclass(frozen=True, slots=True)
class AlarmFlapping:
    """Too many state changes in the window: the alarm is held active until stable."""

    alarm: Alarm


@dataclass(frozen=True, slots=True)
class AlarmSettled:
    """A flapping alarm has been steady (still firing) for the stable period."""

    alarm: Alarm


@dataclass(frozen=True, slots=True)
class AlarmEscalated:
    """Unacknowledged too long: the alarm's escalation level went up to `alarm.escalation_level`."""

    alarm: Alarm


@dataclass(frozen=True, slots=True)
class GroupChanged:
    """Devices joined or left an active group alarm (`alarm.members` is the new list)."""

    alarm: Alarm
    joined: tuple[str, ...] = ()
    left: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AlarmSuppressed:
    """Nothing was raised for `key` at `at`: suppression `suppression_id` (a maintenance
    window) covers it; `count` is how many the window has suppressed so far."""

    key: str
    at: datetime
    suppression_id: str
    count: int


Decision = (
    AlarmRaised
    | AlarmRepeated
    | AlarmCleared
    | AlarmFlapping
    | AlarmSettled
    | AlarmEscalated
    | GroupChanged
    | AlarmSuppressed
)


@dataclass(frozen=True, slots=True)
class Suppression:
    """A window (start ≤ t < end) during which alarms of a device, of an area (by code prefix)
    or of a rule are not raised (屏蔽, e.g. maintenance). Fields given together must all
    match; at least one is needed."""

    suppression_id: str
    start: datetime
    end: datetime
    device_code: str | None = None
    area_prefix: str | None = None
    rule_code: str | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.device_code is None and self.area_prefix is None and self.rule_code is None:
            raise ValueError("a suppression names a device, an area or a rule")
        if self.end <= self.start:
            raise ValueError("a suppression ends after it starts")

    def covers(
        self, at: datetime, *, device_code: str | None, area_code: str | None, rule_code: str | None
    ) -> bool:
        if not self.start <= at < self.end:
            return False
        if self.device_code is not None and device_code != self.device_code:
            return False
        if self.rule_code is not None and rule_code != self.rule_code:
            return False
        return self.area_prefix is None or (
            area_code is not None and area_code.startswith(self.area_prefix)
        )


@dataclass(frozen=True, slots=True)
class BookSettings:
    """The convergence knobs. Flapping: `flap_changes` state changes (fire or clear) of one
    rule on one device within `flap_window`; a flapping alarm clears only after `flap_stable`
    without a change. Groups: `group_size` devices of one gateway or one area going silent
    within `group_window` make one group alarm; a silent device waits `group_window` before its
    own alarm is raised, so that it can join a group. Escalation: an active alarm
    unacknowledged for `escalate_after[severity]` goes up one level per such period, to
    `max_escalation`."""

    flap_changes: int = 5
    flap_window: timedelta = timedelta(minutes=30)
    flap_stable: timedelta = timedelta(minutes=30)
    group_size: int = 10
    group_window: timedelta = timedelta(minutes=5)
    silence_severity: Severity = Severity.major
    escalate_after: tuple[tuple[Severity, timedelta], ...] = (
        (Severity.critical, timedelta(minutes=15)),
        (Severity.major, timedelta(minutes=30)),
        (Severity.minor, timedelta(hours=2)),
    )
    max_escalation: int = 3

    def __post_init__(self) -> None:
        if self.flap_changes < 2 or self.group_size < 2 or self.max_escalation < 0:
            raise ValueError("flap_changes and group_size are at least 2")
        for span in (self.flap_window, self.flap_stable, self.group_window):
            if span <= timedelta(0):
                raise ValueError("windows are longer than zero")
        if any(span <= timedelta(0) for _, span in self.escalate_after):
            raise ValueError("escalation periods are longer than zero")

    def escalation_period(self, severity: Severity) -> timedelta | None:
        return dict(self.escalate_after).get(severity)


def escalation_due(alarm: Alarm, settings: BookSettings, now: datetime) -> int:
    """The escalation level an alarm should have at `now`: one per period of its severity
    spent active and unacknowledged since it was raised (0 when acknowledged or cleared)."""
    period = settings.escalation_period(alarm.severity)
    if not alarm.active or alarm.acked or period is None:
        return alarm.escalation_level
    return min(settings.max_escalation, int((now - alarm.first_at) / period))


def rule_alarm_key(rule_code: str, device_code: str) -> str:
    return f"rule:{rule_code}:{device_code}"


def silence_alarm_key(device_code: str) -> str:
    return f"silence:{device_code}"


def group_place(group_key: str) -> str:
    """Where a group alarm is, in words: `网关 GW-7` or `区域 330102001` (from its key)."""
    _, by, code = group_key.split(":", 2)
    return f"{'网关' if by == 'gateway' else '区域'} {code}"


def escalation_note(level: int) -> str:
    """The history line of an escalation (升级)."""
    return f"升级至 {level} 级"


def group_alarm_keys(place: DevicePlace) -> list[str]:
    """The groups a silent device may join, the most specific (its gateway) first."""
    keys = []
    if place.gateway_code:
        keys.append(f"group:gateway:{place.gateway_code}")
    if place.area_code:
        keys.append(f"group:area:{place.area_code}")
    return keys


class CaseKind(StrEnum):
    incident = "incident"  # what the device measured needs people (the rule's category)
    maintenance = "maintenance"  # the device itself is faulty: its O&M unit repairs it (运维)


@dataclass(frozen=True, slots=True)
class CaseDecision:
    """Whether an alarm should become a case (告警转案件), of which kind and category, for which
    unit (None: the category's responsibility list decides) and from when: the case is opened
    at `open_at` if the alarm is still active then (`case_due`)."""

    open_case: bool
    reason: str
    kind: CaseKind | None = None
    category_code: str | None = None
    unit_code: str | None = None
    open_at: datetime | None = None


def decide_case(
    alarm: Alarm,
    policy: CasePolicy | None,
    *,
    om_unit_code: str | None = None,
    maintenance_category: str = MAINTENANCE_CATEGORY,
) -> CaseDecision:
    """The case an alarm should open. A device fault (offline, stuck, battery low, and every
    silence or group alarm) opens a maintenance case for the device's O&M unit, in the policy's
    category if it names one, else `maintenance_category`, after the policy's delay (none
    without a policy). Otherwise the rule's policy decides; without one, no case."""
    if alarm.fault is not None:
        after = policy.after if policy is not None else timedelta(0)
        category = (policy.category_code if policy else None) or maintenance_category
        unit = "由设备运维单位处置" if om_unit_code else "按事项责任清单派遣"
        return CaseDecision(
            open_case=True,
            reason=f"设备故障（{alarm.fault.label}）：转运维案件，{unit}",
            kind=CaseKind.maintenance,
            category_code=category,
            unit_code=om_unit_code,
            open_at=alarm.first_at + after,
        )
    if policy is None or not policy.open_case:
        return CaseDecision(open_case=False, reason="该规则不转案件")
    return CaseDecision(
        open_case=True,
        reason="按告警规则转案件",
        kind=CaseKind.incident,
        category_code=policy.category_code,
        open_at=alarm.first_at + policy.after,
    )


def case_due(decision: CaseDecision, alarm: Alarm, now: datetime) -> bool:
    """Whether the case should be opened now: decided, its time come, the alarm still active."""
    return (
        decision.open_case
        and alarm.active
        and decision.open_at is not None
        and now >= decision.open_at
    )
