"""Alarms of an area that belong to no device (区域告警), raised and cleared by another domain —
insight's city vital signs (城市体征) when an indicator fires in a street — through sensing's
public face, so they are on the alarm board, in the live stream and in the alarm API beside
the devices' alarms.

Stored in `sensing_alarms` as kind `area` with no device: `group_key` is `<origin>:<key>`, the
alarm's identity while it is active (one active alarm per key: a second raise updates it), and
`area_code` its place, which scopes it as a group alarm's (scoping.py: an actor bound to areas
sees it inside them). The alarm runner's convergence book never holds them (alarm_store.
open_alarms leaves them out): their origin decides when they start and end. What sensing does
to every active alarm applies to them too: people acknowledge, assign, comment and clear them
by hand, and an unacknowledged one escalates by its severity. They ask for no case (their origin
opens one if its policy says so).

Events, written to the outbox in the caller's transaction: `AlarmRaised` when a key's alarm is
raised, `AlarmSeverityChanged` when a raise changes its severity, `AlarmCleared` when it is
cleared; a raise at the same severity only counts (收敛: no line, no event)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from cityops.infra.outbox import UnitOfWork
from cityops.kernel.errors import ValidationFailed
from cityops.sensing import alarm_store
from cityops.sensing import store as t
from cityops.sensing.alarm_store import AREA_KIND
from cityops.sensing.events import AlarmCleared, AlarmRaised, AlarmSeverityChanged
from cityops.sensing.rules.public import Severity

_ORIGIN = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
_KEY_LENGTH = 120  # sensing_alarms.group_key


@dataclass(frozen=True)
class AreaAlarmChange:
    """What a raise or a clear did: the stored alarm, and whether it was raised, its severity
    changed, or (a clear) it was cleared."""

    alarm_id: int
    raised: bool = False
    severity_changed: bool = False
    cleared: bool = False


def _group_key(origin: str, key: str) -> str:
    if not _ORIGIN.match(origin):
        raise ValidationFailed(
            f"an area alarm's origin is a lower-case name of at most 20 characters: {origin!r}",
            code="bad_area_alarm",
        )
    full = f"{origin}:{key}"
    if not key or len(full) > _KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(
            f"an area alarm's key is 1 to {_KEY_LENGTH - len(origin) - 1} printable characters",
            code="bad_area_alarm",
        )
    return full


def _active(uow: UnitOfWork, group_key: str) -> tuple[int, str, int] | None:
    """The active alarm of the key: (id, severity, count)."""
    a = t.alarms.c
    row = uow.session.execute(
        select(a.id, a.severity, a["count"])
        .where(a.kind == AREA_KIND, a.group_key == group_key, a.active.is_(True))
        .order_by(a.id)
        .limit(1)
    ).one_or_none()
    return None if row is None else (int(row[0]), str(row[1]), int(row[2]))


def raise_area_alarm(
    uow: UnitOfWork,
    *,
    origin: str,
    key: str,
    area_code: str,
    severity: Severity | str,
    title_zh: str,
    detail: str = "",
    at: datetime,
    values: Mapping[str, float] | None = None,
) -> AreaAlarmChange:
    """Raise the alarm `<origin>:<key>` of `area_code`, or update it while it is active: its
    title, detail and values are replaced, its count goes up, and a new severity is stored with
    a history line and `AlarmSeverityChanged`. Idempotent per key while active."""
    group_key = _group_key(origin, key)
    if severity not in {s.value for s in Severity}:
        raise ValidationFailed(f"no alarm severity {severity!r}", code="bad_area_alarm")
    level = Severity(severity)
    if not area_code or len(area_code) > 40:
        raise ValidationFailed("an area alarm names its area", code="bad_area_alarm")
    title = title_zh.strip()[:200] or group_key
    stored: dict[str, Any] = {
        "key": group_key,
        "origin": origin,
        "detail": detail[:1000],
        "values": {str(k): float(v) for k, v in (values or {}).items()},
    }
    held = _active(uow, group_key)
    session = uow.session
    if held is None:
        alarm_id = alarm_store.insert_alarm(
            session,
            {
                "kind": AREA_KIND,
                "rule_code": "",
                "device_id": None,
                "group_key": group_key,
                "area_code": area_code,
                "severity": level.value,
                "title": title,
                "active": True,
                "acked": False,
                "acked_by": "",
                "first_at": at,
                "last_at": at,
                "count": 1,
                "flapping": False,
                "escalation": 0,
                "assignee": "",
                "detail": stored,
                "case_status": "",
            },
        )
        alarm_store.add_lines(
            session,
            [{"alarm_id": alarm_id, "at": at, "action": "raised", "note": detail[:1000] or title}],
        )
        uow.emit(
            AlarmRaised(
                occurred_at=at,
                alarm_id=alarm_id,
                kind=AREA_KIND,
                severity=level.value,
                area_code=area_code,
                title=title,
            )
        )
        return AreaAlarmChange(alarm_id, raised=True)
    alarm_id, before, count = held
    alarm_store.update_alarm(
        session,
        alarm_id,
        {
            "severity": level.value,
            "title": title,
            "last_at": at,
            "count": count + 1,
            "detail": stored,
        },
    )
    if before == level.value:
        return AreaAlarmChange(alarm_id)
    was = Severity(before).label if before in {s.value for s in Severity} else before
    alarm_store.add_lines(
        session,
        [
            {
                "alarm_id": alarm_id,
                "at": at,
                "action": "severity_changed",
                "note": f"{was} → {level.label}" + (f"：{detail}" if detail else ""),
            }
        ],
    )
    uow.emit(
        AlarmSeverityChanged(
            occurred_at=at,
            alarm_id=alarm_id,
            kind=AREA_KIND,
            severity=level.value,
            area_code=area_code,
            previous=before,
        )
    )
    return AreaAlarmChange(alarm_id, severity_changed=True)


def clear_area_alarm(
    uow: UnitOfWork, *, origin: str, key: str, at: datetime, note: str = ""
) -> AreaAlarmChange | None:
    """Clear the active alarm `<origin>:<key>` (恢复: a history line, `AlarmCleared`); None when
    none is active (never raised, cleared already, or cleared by hand)."""
    group_key = _group_key(origin, key)
    held = _active(uow, group_key)
    if held is None:
        return None
    alarm_id, severity, _ = held
    alarm = alarm_store.get_alarm(uow.session, alarm_id)
    assert alarm is not None
    alarm_store.update_alarm(
        uow.session,
        alarm_id,
        {"active": False, "cleared_at": at, "flapping": False, "last_at": max(at, alarm.last_at)},
    )
    alarm_store.add_lines(
        uow.session, [{"alarm_id": alarm_id, "at": at, "action": "cleared", "note": note[:1000]}]
    )
    uow.emit(
        AlarmCleared(
            occurred_at=at,
            alarm_id=alarm_id,
            kind=AREA_KIND,
            severity=severity,
            area_code=alarm.area_code,
        )
    )
    return AreaAlarmChange(alarm_id, cleared=True)
