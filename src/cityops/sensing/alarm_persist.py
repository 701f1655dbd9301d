"""How the convergence book's decisions are stored: an alarm row per alarm, a history line per
change worth reading later, an event in the outbox per raise and clear. Repeats only raise the
row's count (收敛): no line, no event."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cityops.infra.outbox import UnitOfWork
from cityops.sensing import alarm_store
from cityops.sensing.alarm_store import BOOK_OF_KIND, KIND_OF_BOOK, AlarmRecord, DeviceFacts
from cityops.sensing.alarms import public as book_api
from cityops.sensing.events import AlarmCleared, AlarmEscalated, AlarmRaised
from cityops.sensing.rules.public import DeviceFault


@dataclass(frozen=True)
class Decided:
    """A decision of the book, with the values of the transition that caused it."""

    decision: book_api.Decision
    values: Mapping[str, float] = field(default_factory=dict)
    device_id: int | None = None


def to_book(r: AlarmRecord) -> book_api.Alarm:
    """A stored alarm as the book holds it (its id is the stored id, as text)."""
    return book_api.Alarm(
        alarm_id=str(r.id),
        key=r.key,
        kind=book_api.AlarmKind(BOOK_OF_KIND.get(r.kind, "rule")),
        severity=book_api.Severity(r.severity),
        text=r.title,
        first_at=r.first_at,
        last_at=r.last_at,
        rule_code=r.rule_code or None,
        rule_version=r.rule_version,
        device_code=r.device_code or None,
        area_code=r.area_code or None,
        gateway_code=r.gateway_code or None,
        fault=DeviceFault(r.fault) if r.fault else None,
        count=r.count,
        active=r.active,
        cleared_at=r.cleared_at,
        acked=r.acked,
        acked_by=r.acked_by or None,
        acked_at=r.acked_at,
        assignee=r.assignee or None,
        escalation_level=r.escalation,
        flapping=r.flapping,
        members=r.members,
    )


def _detail(alarm: book_api.Alarm, values: Mapping[str, float]) -> dict[str, Any]:
    return {
        "key": alarm.key,
        "rule_version": alarm.rule_version,
        "device_code": alarm.device_code or "",
        "gateway_code": alarm.gateway_code or "",
        "fault": str(alarm.fault) if alarm.fault else "",
        "members": list(alarm.members),
        "values": dict(values),
    }


def _common(alarm: book_api.Alarm, stored_id: int) -> dict[str, Any]:
    return {
        "alarm_id": stored_id,
        "kind": KIND_OF_BOOK[alarm.kind.value],
        "severity": alarm.severity.value,
        "rule_code": alarm.rule_code or "",
        "device_code": alarm.device_code or "",
        "area_code": alarm.area_code or "",
    }


def store_decisions(
    uow: UnitOfWork,
    decided: list[Decided],
    ids: MutableMapping[str, int],
    firing: MutableMapping[str, datetime],
    facts_of: Callable[[str], DeviceFacts | None],
    now: datetime,
) -> None:
    """Write the decisions in the caller's transaction. `ids` maps the book's ids of alarms
    raised here to their stored ids (filled in); `firing` follows the active rule alarms."""
    session = uow.session
    lines: list[dict[str, Any]] = []

    def stored(alarm: book_api.Alarm) -> int:
        return ids.get(alarm.alarm_id) or int(alarm.alarm_id)

    def line(alarm_id: int, at: datetime, action: str, note: str = "") -> None:
        lines.append({"alarm_id": alarm_id, "at": at, "action": action, "note": note[:1000]})

    for item in decided:
        d = item.decision
        if isinstance(d, book_api.AlarmSuppressed):
            continue
        alarm = d.alarm
        if isinstance(d, book_api.AlarmRaised):
            device = facts_of(alarm.device_code) if alarm.device_code else None
            device_id = item.device_id or (device.id if device else None)
            new_id = alarm_store.insert_alarm(
                session,
                {
                    "kind": KIND_OF_BOOK[alarm.kind.value],
                    "rule_code": alarm.rule_code or "",
                    "device_id": device_id,
                    "group_key": alarm.key if alarm.kind is book_api.AlarmKind.group else "",
                    "area_code": alarm.area_code or (device.area_code if device else ""),
                    "severity": alarm.severity.value,
                    "title": alarm.text[:200],
                    "active": True,
                    "acked": False,
                    "acked_by": "",
                    "first_at": alarm.first_at,
                    "last_at": alarm.last_at,
                    "count": alarm.count,
                    "flapping": alarm.flapping,
                    "escalation": 0,
                    "assignee": "",
                    "detail": _detail(alarm, item.values),
                    "case_status": "",
                },
            )
            ids[alarm.alarm_id] = new_id
            if alarm.kind is book_api.AlarmKind.rule:
                firing[alarm.key] = alarm.first_at
            line(new_id, alarm.first_at, "raised", alarm.text)
            uow.emit(
                AlarmRaised(
                    occurred_at=now,
                    **_common(alarm, new_id),
                    title=alarm.text[:200],
                    fault=str(alarm.fault) if alarm.fault else "",
                    members=len(alarm.members),
                )
            )
            continue
        alarm_id = stored(alarm)
        if isinstance(d, book_api.AlarmRepeated):
            alarm_store.update_alarm(
                session, alarm_id, {"count": alarm.count, "last_at": alarm.last_at}
            )
        elif isinstance(d, book_api.AlarmCleared):
            at = alarm.cleared_at or now
            alarm_store.update_alarm(
                session,
                alarm_id,
                {"active": False, "cleared_at": at, "flapping": False, "last_at": alarm.last_at},
            )
            firing.pop(alarm.key, None)
            note = alarm.history[-1].note if alarm.history else ""
            line(alarm_id, at, "cleared", note)
            uow.emit(AlarmCleared(occurred_at=now, **_common(alarm, alarm_id)))
        elif isinstance(d, book_api.AlarmFlapping | book_api.AlarmSettled):
            flapping = isinstance(d, book_api.AlarmFlapping)
            alarm_store.update_alarm(
                session,
                alarm_id,
                {"flapping": flapping, "count": alarm.count, "last_at": alarm.last_at},
            )
            line(
                alarm_id, alarm.last_at if flapping else now, "flapping" if flapping else "settled"
            )
        elif isinstance(d, book_api.GroupChanged):
            alarm_store.update_alarm(
                session,
                alarm_id,
                {
                    "count": alarm.count,
                    "last_at": alarm.last_at,
                    "detail": _detail(alarm, {}),
                },
            )
            joined = f"新增离线：{'、'.join(d.joined)}" if d.joined else ""
            left = f"恢复上报：{'、'.join(d.left)}" if d.left else ""
            line(
                alarm_id,
                alarm.last_at,
                "members_changed",
                "；".join(x for x in (joined, left) if x),
            )
        elif isinstance(d, book_api.AlarmEscalated):
            level = alarm.escalation_level
            alarm_store.update_alarm(session, alarm_id, {"escalation": level})
            line(alarm_id, now, "escalated", book_api.escalation_note(level))
            uow.emit(AlarmEscalated(occurred_at=now, **_common(alarm, alarm_id), level=level))
    alarm_store.add_lines(session, lines)


def store_escalations(uow: UnitOfWork, due: list[tuple[AlarmRecord, int]], now: datetime) -> None:
    """Raise each alarm to its due escalation level (升级): a line and an event each."""
    for record, level in due:
        alarm_store.update_alarm(uow.session, record.id, {"escalation": level})
        alarm_store.add_lines(
            uow.session,
            [
                {
                    "alarm_id": record.id,
                    "at": now,
                    "action": "escalated",
                    "note": book_api.escalation_note(level),
                }
            ],
        )
        uow.emit(
            AlarmEscalated(
                occurred_at=now,
                alarm_id=record.id,
                kind=record.kind,
                severity=record.severity,
                rule_code=record.rule_code,
                device_code=record.device_code,
                area_code=record.area_code,
                level=level,
            )
        )
