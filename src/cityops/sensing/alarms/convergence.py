"""The alarm book (告警收敛): rule transitions and device silences in, decisions out.

- Repeats: a rule firing again on a device whose alarm is still active raises its count.
- Flapping: `flap_changes` fire/clear changes of one rule on one device within `flap_window`
  mark the alarm flapping; a clear is then held back until no change came for `flap_stable`.
- Groups: silent devices wait `group_window`; `group_size` of them under one gateway (or else
  in one area) within that window become one group alarm listing them, and later silences
  there join it; a device left alone gets its own silence alarm when its wait ends.
- Suppression: during a window that covers a device, area or rule, nothing is raised and the
  window counts what it suppressed; a rule still firing when the window ends is raised then.
- Escalation: an active alarm unacknowledged for its severity's period goes up one level per
  period (`tick`).
State is bounded by the open alarms, the devices silent now and the rule-device pairs that
changed within the flap window; closed alarms (cleared and acknowledged) leave the book.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from cityops.kernel.errors import NotFound
from cityops.kernel.ids import new_event_id
from cityops.sensing.alarms.model import (
    Alarm,
    AlarmAction,
    AlarmCleared,
    AlarmEscalated,
    AlarmFlapping,
    AlarmKind,
    AlarmRaised,
    AlarmRepeated,
    AlarmSettled,
    AlarmSuppressed,
    BookSettings,
    Decision,
    DevicePlace,
    GroupChanged,
    Suppression,
    escalation_due,
    escalation_note,
    group_alarm_keys,
    group_place,
    rule_alarm_key,
    silence_alarm_key,
)
from cityops.sensing.rules.public import DeviceFault, RuleCleared, RuleFired


@dataclass(frozen=True, slots=True)
class _Silence:
    at: datetime
    place: DevicePlace


class AlarmBook:
    def __init__(
        self,
        settings: BookSettings | None = None,
        *,
        alarms: Iterable[Alarm] = (),
        new_id: Callable[[], str] = new_event_id,
    ) -> None:
        """`alarms`: the open alarms kept in the store, to go on after a restart."""
        self.settings = settings or BookSettings()
        self._new_id = new_id
        self._alarms: dict[str, Alarm] = {}
        self._active: dict[str, str] = {}  # key -> id of the active alarm about it
        self._held_clear: dict[str, datetime] = {}  # flapping alarm id -> clear held since
        self._changes: dict[str, deque[datetime]] = {}  # rule key -> its latest changes
        self._waiting: dict[str, _Silence] = {}  # silent devices waiting for a group
        self._waiting_in: dict[str, dict[str, datetime]] = {}  # group key -> its waiting devices
        self._member_of: dict[str, str] = {}  # device -> key of its group alarm
        self._suppressions: dict[str, Suppression] = {}
        self._suppressed: dict[str, int] = {}
        self._held_back: dict[str, tuple[RuleFired, DevicePlace]] = {}
        for alarm in alarms:
            self._store(alarm)
            for device in alarm.members:
                self._member_of[device] = alarm.key

    def get(self, alarm_id: str) -> Alarm:
        alarm = self._alarms.get(alarm_id)
        if alarm is None:
            raise NotFound(f"alarm {alarm_id} is not open", code="alarm_not_found")
        return alarm

    def open_alarms(self) -> list[Alarm]:
        return sorted(self._alarms.values(), key=lambda a: (a.first_at, a.alarm_id))

    def suppressed_count(self, suppression_id: str) -> int:
        return self._suppressed.get(suppression_id, 0)

    @property
    def state_size(self) -> int:
        """Entries held across the book's maps (for the bounded-state checks)."""
        return (
            len(self._alarms)
            + len(self._changes)
            + len(self._waiting)
            + len(self._waiting_in)
            + len(self._member_of)
            + len(self._held_back)
        )

    def apply(self, transition: RuleFired | RuleCleared, place: DevicePlace) -> list[Decision]:
        if isinstance(transition, RuleFired):
            return self.fired(transition, place)
        return self.cleared(transition, place)

    def fired(self, fired: RuleFired, place: DevicePlace) -> list[Decision]:
        key = rule_alarm_key(fired.rule.code, fired.device_code)
        changes = self._change(key, fired.ts)
        alarm_id = self._active.get(key)
        if alarm_id is None:  # a repeat of an alarm active before a suppression still counts
            covering = self._covering(fired.ts, fired.device_code, place, fired.rule.code)
            if covering is not None:
                self._held_back[key] = (fired, place)
                return [self._count_suppressed(covering, key, fired.ts)]
            return self._raise_rule(fired, place, flapping=changes >= self.settings.flap_changes)
        alarm = self._alarms[alarm_id]
        self._held_clear.pop(alarm_id, None)
        alarm = replace(alarm, count=alarm.count + 1, last_at=fired.ts)
        out: list[Decision] = []
        if not alarm.flapping and changes >= self.settings.flap_changes:
            alarm = replace(alarm, flapping=True).noted(fired.ts, AlarmAction.flapping)
            out.append(AlarmFlapping(alarm))
        self._store(alarm)
        return [AlarmRepeated(alarm), *out]

    def cleared(self, cleared: RuleCleared, place: DevicePlace) -> list[Decision]:
        key = rule_alarm_key(cleared.rule.code, cleared.device_code)
        changes = self._change(key, cleared.ts)
        if self._held_back.pop(key, None) is not None:
            return []
        alarm_id = self._active.get(key)
        if alarm_id is None:
            return []
        alarm = self._alarms[alarm_id]
        if alarm.flapping or changes >= self.settings.flap_changes:
            self._held_clear[alarm_id] = cleared.ts
            if alarm.flapping:
                return []
            alarm = replace(alarm, flapping=True).noted(cleared.ts, AlarmAction.flapping)
            self._store(alarm)
            return [AlarmFlapping(alarm)]
        return [self._clear(alarm, cleared.ts, cleared.text)]

    def silent(self, device_code: str, place: DevicePlace, at: datetime) -> list[Decision]:
        """The device stopped reporting (seen at `at`)."""
        key = silence_alarm_key(device_code)
        if key in self._active:
            alarm = self._alarms[self._active[key]]
            alarm = replace(alarm, count=alarm.count + 1, last_at=at)
            self._store(alarm)
            return [AlarmRepeated(alarm)]
        if device_code in self._waiting or device_code in self._member_of:
            return []
        covering = self._covering(at, device_code, place, None)
        if covering is not None:
            return [self._count_suppressed(covering, key, at)]
        for group in group_alarm_keys(place):
            if group in self._active:
                return [self._join(group, (device_code,), at)]
        self._wait(device_code, _Silence(at, place))
        for group in group_alarm_keys(place):
            since = at - self.settings.group_window
            together = sorted(d for d, t in self._waiting_in[group].items() if t >= since)
            if len(together) >= self.settings.group_size:
                return [self._raise_group(group, together, place, at)]
        return []

    def back(self, device_code: str, at: datetime) -> list[Decision]:
        """The device reports again."""
        if self._unwait(device_code):
            return []
        alarm_id = self._active.get(silence_alarm_key(device_code))
        if alarm_id is not None:
            return [self._clear(self._alarms[alarm_id], at, f"设备 {device_code} 恢复上报")]
        group = self._member_of.pop(device_code, None)
        if group is None or group not in self._active:
            return []
        alarm = self._alarms[self._active[group]]
        members = tuple(d for d in alarm.members if d != device_code)
        if not members:
            return [self._clear(replace(alarm, members=()), at, "全部设备已恢复上报")]
        alarm = replace(alarm, members=members, last_at=at).noted(
            at, AlarmAction.members_changed, note=f"设备 {device_code} 恢复上报"
        )
        self._store(alarm)
        return [GroupChanged(alarm, left=(device_code,))]

    def tick(self, now: datetime) -> list[Decision]:
        """Let time run: held clears of steady flapping alarms, silent devices whose wait
        ended, suppression windows that ended, escalations."""
        settings, out = self.settings, []
        for alarm_id, since in list(self._held_clear.items()):
            alarm = self._alarms[alarm_id]
            if now - max(since, self._last_change(alarm.key) or since) >= settings.flap_stable:
                del self._held_clear[alarm_id]
                out.append(self._clear(alarm, now, "振荡平息，已恢复"))
        for alarm in list(self._alarms.values()):
            last = self._last_change(alarm.key)
            steady = last is None or now - last >= settings.flap_stable
            if (
                alarm.flapping
                and alarm.active
                and alarm.alarm_id not in self._held_clear
                and steady
            ):
                alarm = replace(alarm, flapping=False).noted(now, AlarmAction.settled)
                self._store(alarm)
                out.append(AlarmSettled(alarm))
        for device, silence in list(self._waiting.items()):
            if now - silence.at >= settings.group_window:
                self._unwait(device)
                out.append(self._raise_silence(device, silence))
        for suppression in list(self._suppressions.values()):
            if suppression.end <= now:
                out += self.lift(suppression.suppression_id, now)
        out += self._escalate(now)
        for key, changes in list(self._changes.items()):
            if changes and now - changes[-1] > settings.flap_window and key not in self._active:
                del self._changes[key]
        return out

    def acknowledge(self, alarm_id: str, by: str, at: datetime) -> Alarm:
        alarm = self.get(alarm_id).acknowledged(by, at)
        self._store(alarm)
        return alarm

    def assign(self, alarm_id: str, assignee: str | None, by: str, at: datetime) -> Alarm:
        alarm = self.get(alarm_id).assigned(assignee, by, at)
        self._store(alarm)
        return alarm

    def comment(self, alarm_id: str, by: str, text: str, at: datetime) -> Alarm:
        alarm = self.get(alarm_id).commented(by, text, at)
        self._store(alarm)
        return alarm

    def suppress(self, suppression: Suppression) -> None:
        self._suppressions[suppression.suppression_id] = suppression
        self._suppressed.setdefault(suppression.suppression_id, 0)

    def lift(self, suppression_id: str, now: datetime) -> list[Decision]:
        """End a suppression: rules still firing under it are raised now."""
        self._suppressions.pop(suppression_id, None)
        out: list[Decision] = []
        for key, (fired, place) in list(self._held_back.items()):
            if self._covering(now, fired.device_code, place, fired.rule.code) is None:
                del self._held_back[key]
                if key not in self._active:
                    out += self._raise_rule(fired, place, flapping=False)
        return out

    def _store(self, alarm: Alarm) -> None:
        if alarm.closed:
            self._alarms.pop(alarm.alarm_id, None)
            self._held_clear.pop(alarm.alarm_id, None)
        else:
            self._alarms[alarm.alarm_id] = alarm
        if alarm.active:
            self._active[alarm.key] = alarm.alarm_id
        elif self._active.get(alarm.key) == alarm.alarm_id:
            del self._active[alarm.key]

    def _wait(self, device_code: str, silence: _Silence) -> None:
        self._waiting[device_code] = silence
        for group in group_alarm_keys(silence.place):
            self._waiting_in.setdefault(group, {})[device_code] = silence.at

    def _unwait(self, device_code: str) -> bool:
        silence = self._waiting.pop(device_code, None)
        if silence is None:
            return False
        for group in group_alarm_keys(silence.place):
            waiting = self._waiting_in[group]
            del waiting[device_code]
            if not waiting:
                del self._waiting_in[group]
        return True

    def _change(self, key: str, at: datetime) -> int:
        """Record a state change of a rule on a device; the number within the flap window."""
        changes = self._changes.setdefault(key, deque(maxlen=self.settings.flap_changes))
        changes.append(at)
        return sum(1 for c in changes if at - c <= self.settings.flap_window)

    def _last_change(self, key: str) -> datetime | None:
        changes = self._changes.get(key)
        return changes[-1] if changes else None

    def _covering(
        self, at: datetime, device_code: str, place: DevicePlace, rule_code: str | None
    ) -> Suppression | None:
        for suppression in self._suppressions.values():
            if suppression.covers(
                at, device_code=device_code, area_code=place.area_code, rule_code=rule_code
            ):
                return suppression
        return None

    def _count_suppressed(self, suppression: Suppression, key: str, at: datetime) -> Decision:
        count = self._suppressed.get(suppression.suppression_id, 0) + 1
        self._suppressed[suppression.suppression_id] = count
        return AlarmSuppressed(key, at, suppression.suppression_id, count)

    def _new(self, at: datetime, text: str, **fields: object) -> Alarm:
        alarm = Alarm(alarm_id=self._new_id(), text=text, first_at=at, last_at=at, **fields)  # type: ignore[arg-type]
        alarm = alarm.noted(at, AlarmAction.raised, note=text)
        self._store(alarm)
        return alarm

    def _raise_rule(
        self, fired: RuleFired, place: DevicePlace, *, flapping: bool
    ) -> list[Decision]:
        rule = fired.rule
        alarm = self._new(
            fired.ts,
            fired.text,
            key=rule_alarm_key(rule.code, fired.device_code),
            kind=AlarmKind.rule,
            severity=rule.severity,
            rule_code=rule.code,
            rule_version=rule.version,
            device_code=fired.device_code,
            area_code=place.area_code,
            gateway_code=place.gateway_code,
            fault=rule.fault,
            flapping=flapping,
        )
        return [AlarmRaised(alarm), AlarmFlapping(alarm)] if flapping else [AlarmRaised(alarm)]

    def _raise_silence(self, device_code: str, silence: _Silence) -> Decision:
        alarm = self._new(
            silence.at,
            f"设备 {device_code} 离线",
            key=silence_alarm_key(device_code),
            kind=AlarmKind.silence,
            severity=self.settings.silence_severity,
            device_code=device_code,
            area_code=silence.place.area_code,
            gateway_code=silence.place.gateway_code,
            fault=DeviceFault.offline,
        )
        return AlarmRaised(alarm)

    def _raise_group(
        self, group: str, devices: list[str], place: DevicePlace, at: datetime
    ) -> Decision:
        by_gateway = group.startswith("group:gateway:")
        for device in devices:
            self._unwait(device)
            self._member_of[device] = group
        alarm = self._new(
            at,
            f"{group_place(group)} 下 {len(devices)} 台设备同时离线",
            key=group,
            kind=AlarmKind.group,
            severity=self.settings.silence_severity,
            area_code=None if by_gateway else place.area_code,
            gateway_code=place.gateway_code if by_gateway else None,
            fault=DeviceFault.offline,
            members=tuple(devices),
        )
        return AlarmRaised(alarm)

    def _join(self, group: str, devices: tuple[str, ...], at: datetime) -> Decision:
        alarm = self._alarms[self._active[group]]
        for device in devices:
            self._member_of[device] = group
        alarm = replace(
            alarm, members=(*alarm.members, *devices), count=alarm.count + 1, last_at=at
        ).noted(at, AlarmAction.members_changed, note=f"设备 {'、'.join(devices)} 离线")
        self._store(alarm)
        return GroupChanged(alarm, joined=devices)

    def _clear(self, alarm: Alarm, at: datetime, text: str) -> Decision:
        alarm = replace(alarm, active=False, cleared_at=at, flapping=False)
        alarm = alarm.noted(at, AlarmAction.cleared, note=text)
        self._store(alarm)
        return AlarmCleared(alarm)

    def _escalate(self, now: datetime) -> list[Decision]:
        out: list[Decision] = []
        for alarm in list(self._alarms.values()):
            due = escalation_due(alarm, self.settings, now)
            if due > alarm.escalation_level:
                alarm = replace(alarm, escalation_level=due).noted(
                    now, AlarmAction.escalated, note=escalation_note(due)
                )
                self._store(alarm)
                out.append(AlarmEscalated(alarm))
        return out
