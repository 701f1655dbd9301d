"""Alarm rows and their history lines, and the device facts the alarm runner reads (the tables
are store.py's). Records leave this module typed: `AlarmRecord`, `AlarmLine`, `DeviceFacts`."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Row,
    and_,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from cityops.sensing import store as t

# the stored kind of each of the book's alarm kinds (sensing_alarms.kind)
KIND_OF_BOOK = {"rule": "rule", "silence": "offline", "group": "group", "area": "area"}
BOOK_OF_KIND = {v: k for k, v in KIND_OF_BOOK.items()}
AREA_KIND = "area"  # an area's alarm raised by another domain, no device (area_alarms.py)


@dataclass(frozen=True)
class AlarmRecord:
    id: int
    kind: str  # rule, offline, group, area
    key: str  # the book's key (rule:<rule>:<device>, silence:<device>, group:…; area: <origin>:…)
    rule_code: str
    rule_version: int | None
    device_id: int | None
    device_code: str
    group_key: str
    area_code: str
    gateway_code: str
    severity: str
    title: str
    fault: str
    active: bool
    acked: bool
    acked_by: str
    acked_at: datetime | None
    cleared_at: datetime | None
    first_at: datetime
    last_at: datetime
    count: int
    flapping: bool
    escalation: int
    assignee: str
    members: tuple[str, ...]
    values: Mapping[str, float]
    case_id: int | None
    case_status: str


@dataclass(frozen=True)
class AlarmLine:
    """One line of an alarm's history (raised, acknowledged, commented, cleared …)."""

    id: int
    alarm_id: int
    at: datetime
    action: str
    actor: str
    note: str


@dataclass(frozen=True)
class DeviceFacts:
    """What the alarm runner and the case bridge need of a device."""

    id: int
    code: str
    type_code: str
    area_code: str
    gateway_code: str
    om_department: str
    status: str
    lon: float
    lat: float
    inactivity_seconds: int


@dataclass(frozen=True)
class AlarmFilter:
    active: bool | None = None
    severity: str | None = None
    area_prefix: str | None = None
    device_code: str | None = None
    kind: str | None = None


def _record(row: Row[Any], device_code: str | None) -> AlarmRecord:
    detail = row.detail or {}
    return AlarmRecord(
        id=int(row.id),
        kind=row.kind,
        key=str(detail.get("key", "")),
        rule_code=row.rule_code,
        rule_version=detail.get("rule_version"),
        device_id=None if row.device_id is None else int(row.device_id),
        device_code=device_code or str(detail.get("device_code", "")),
        group_key=row.group_key,
        area_code=row.area_code,
        gateway_code=str(detail.get("gateway_code", "")),
        severity=row.severity,
        title=row.title,
        fault=str(detail.get("fault", "")),
        active=bool(row.active),
        acked=bool(row.acked),
        acked_by=row.acked_by,
        acked_at=row.acked_at,
        cleared_at=row.cleared_at,
        first_at=row.first_at,
        last_at=row.last_at,
        count=int(row._mapping["count"]),
        flapping=bool(row.flapping),
        escalation=int(row.escalation),
        assignee=row.assignee,
        members=tuple(detail.get("members", ())),
        values={str(k): float(v) for k, v in (detail.get("values") or {}).items()},
        case_id=None if row.case_id is None else int(row.case_id),
        case_status=row.case_status,
    )


_A = t.alarms
_WITH_DEVICE = select(_A, t.devices.c.code.label("device_code_")).outerjoin(
    t.devices, t.devices.c.id == _A.c.device_id
)


def _records(rows: Iterable[Row[Any]]) -> list[AlarmRecord]:
    return [_record(r, r.device_code_) for r in rows]


def insert_alarm(session: Session, values: Mapping[str, Any]) -> int:
    return int(session.execute(insert(_A).values(**values).returning(_A.c.id)).scalar_one())


def update_alarm(session: Session, alarm_id: int, values: Mapping[str, Any]) -> None:
    session.execute(update(_A).where(_A.c.id == alarm_id).values(**values))


def add_lines(session: Session, lines: Sequence[Mapping[str, Any]]) -> None:
    if lines:
        session.execute(insert(t.alarm_events), [dict(line) for line in lines])


def get_alarm(
    session: Session, alarm_id: int, scope: ColumnElement[bool] | None = None
) -> AlarmRecord | None:
    """The alarm, if it is within `scope` (a clause of scoping.py; None: any)."""
    stmt = _WITH_DEVICE.where(_A.c.id == alarm_id)
    if scope is not None:
        stmt = stmt.where(scope)
    row = session.execute(stmt).one_or_none()
    return None if row is None else _record(row, row.device_code_)


def get_alarms(session: Session, ids: Sequence[int]) -> list[AlarmRecord]:
    if not ids:
        return []
    return _records(session.execute(_WITH_DEVICE.where(_A.c.id.in_(list(ids)))))


def list_alarms(
    session: Session,
    f: AlarmFilter,
    *,
    scope: ColumnElement[bool] | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AlarmRecord], int]:
    """A page of the alarms of the filter within `scope` (a clause of scoping.py), the latest
    first, and how many there are."""
    where: list[ColumnElement[bool]] = [] if scope is None else [scope]
    if f.active is not None:
        where.append(_A.c.active == f.active)
    if f.severity:
        where.append(_A.c.severity == f.severity)
    if f.kind:
        where.append(_A.c.kind == f.kind)
    if f.area_prefix:
        where.append(_A.c.area_code.startswith(f.area_prefix, autoescape=True))
    if f.device_code:
        device = select(t.devices.c.id).where(t.devices.c.code == f.device_code)
        where.append(_A.c.device_id.in_(device.scalar_subquery()))
    total = int(session.execute(select(func.count()).select_from(_A).where(*where)).scalar_one())
    rows = session.execute(
        _WITH_DEVICE.where(*where)
        .order_by(_A.c.last_at.desc(), _A.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return _records(rows), total


def alarm_lines(session: Session, alarm_id: int, *, limit: int = 500) -> list[AlarmLine]:
    e = t.alarm_events
    rows = session.execute(
        select(e).where(e.c.alarm_id == alarm_id).order_by(e.c.at, e.c.id).limit(limit)
    )
    return [AlarmLine(int(r.id), int(r.alarm_id), r.at, r.action, r.actor, r.note) for r in rows]


def count_lines(session: Session, alarm_id: int, action: str) -> int:
    e = t.alarm_events
    stmt = select(func.count()).where(e.c.alarm_id == alarm_id, e.c.action == action)
    return int(session.execute(stmt).scalar_one())


def open_alarms(session: Session) -> list[AlarmRecord]:
    """Alarms still active or not yet acknowledged: what the convergence book holds (not the
    areas' alarms: their origin raises and clears them)."""
    stmt = _WITH_DEVICE.where(or_(_A.c.active, ~_A.c.acked), _A.c.kind != AREA_KIND)
    return _records(session.execute(stmt.order_by(_A.c.id)))


def alarm_flags(session: Session, ids: Sequence[int]) -> dict[int, tuple[bool, bool]]:
    """(active, acked) of each alarm named."""
    out: dict[int, tuple[bool, bool]] = {}
    for start in range(0, len(ids), 1000):
        chunk = list(ids[start : start + 1000])
        for row in session.execute(
            select(_A.c.id, _A.c.active, _A.c.acked).where(_A.c.id.in_(chunk))
        ):
            out[int(row.id)] = (bool(row.active), bool(row.acked))
    return out


def unacknowledged_active(session: Session, *, limit: int = 5000) -> list[AlarmRecord]:
    rows = session.execute(
        _WITH_DEVICE.where(_A.c.active, ~_A.c.acked).order_by(_A.c.id).limit(limit)
    )
    return _records(rows)


def active_without_case(
    session: Session, rule_codes: Sequence[str], *, limit: int = 1000
) -> list[AlarmRecord]:
    """Active alarms without a case that may ask for one: offline and group alarms, and those
    of the rules named (rules that open cases or watch a device fault)."""
    asks = or_(_A.c.kind.in_(["offline", "group"]), _A.c.rule_code.in_(list(rule_codes)))
    rows = session.execute(
        _WITH_DEVICE.where(_A.c.active, _A.c.case_id.is_(None), asks).order_by(_A.c.id).limit(limit)
    )
    return _records(rows)


def link_case(session: Session, alarm_id: int, case_id: int, status: str) -> bool:
    """Record the case an alarm opened; False if it had one already (opened meanwhile)."""
    result = session.execute(
        update(_A)
        .where(_A.c.id == alarm_id, _A.c.case_id.is_(None))
        .values(case_id=case_id, case_status=status)
    )
    return bool(getattr(result, "rowcount", 0))


def set_case_statuses(session: Session, statuses: Mapping[int, str]) -> list[int]:
    """Copy each case's status onto the alarms that opened it; the alarm ids changed."""
    if not statuses:
        return []
    found = session.execute(
        select(_A.c.id, _A.c.case_id).where(_A.c.case_id.in_(list(statuses)))
    ).all()
    for row in found:
        session.execute(
            update(_A).where(_A.c.id == row.id).values(case_status=statuses[int(row.case_id)])
        )
    return [int(r.id) for r in found]


# -- devices ------------------------------------------------------------------------------------

_D = t.devices
_FACTS = select(
    _D.c.id,
    _D.c.code,
    _D.c.type_code,
    _D.c.area_code,
    _D.c.gateway_code,
    _D.c.om_department,
    _D.c.status,
    _D.c.lon,
    _D.c.lat,
    _D.c.inactivity_seconds,
)


class DeviceFactsCache:
    """Device facts by code, each read again after `ttl` seconds (an unknown code too)."""

    def __init__(self, ttl: float, *, max_size: int = 500_000) -> None:
        self._ttl = ttl
        self._max = max_size
        self._held: dict[str, tuple[float, DeviceFacts | None]] = {}

    def get_many(self, session: Session, codes: Sequence[str]) -> dict[str, DeviceFacts]:
        now = time.monotonic()
        out: dict[str, DeviceFacts] = {}
        missing = []
        for code in codes:
            held = self._held.get(code)
            if held is None or now - held[0] >= self._ttl:
                missing.append(code)
            elif held[1] is not None:
                out[code] = held[1]
        found = facts_by_code(session, missing) if missing else {}
        if len(self._held) > self._max:
            self._held.clear()
        for code in missing:
            self._held[code] = (now, found.get(code))
        return {**out, **found}

    def remember(self, device: DeviceFacts) -> None:
        self._held[device.code] = (time.monotonic(), device)

    def of(self, code: str) -> DeviceFacts | None:
        held = self._held.get(code)
        return None if held is None else held[1]


def _facts(row: Any) -> DeviceFacts:
    return DeviceFacts(
        id=int(row.id),
        code=row.code,
        type_code=row.type_code,
        area_code=row.area_code,
        gateway_code=row.gateway_code,
        om_department=row.om_department,
        status=row.status,
        lon=float(row.lon),
        lat=float(row.lat),
        inactivity_seconds=int(row.inactivity_seconds),
    )


def facts_by_code(session: Session, codes: Sequence[str]) -> dict[str, DeviceFacts]:
    out: dict[str, DeviceFacts] = {}
    for start in range(0, len(codes), 1000):
        chunk = list(codes[start : start + 1000])
        for row in session.execute(_FACTS.where(_D.c.code.in_(chunk))):
            out[row.code] = _facts(row)
    return out


def facts_by_id(session: Session, ids: Sequence[int]) -> dict[int, DeviceFacts]:
    out: dict[int, DeviceFacts] = {}
    for start in range(0, len(ids), 1000):
        chunk = list(ids[start : start + 1000])
        for row in session.execute(_FACTS.where(_D.c.id.in_(chunk))):
            out[int(row.id)] = _facts(row)
    return out


def devices_in_status(session: Session, status: str) -> list[DeviceFacts]:
    return [_facts(r) for r in session.execute(_FACTS.where(_D.c.status == status))]


def silent_devices(session: Session, now_ms: int) -> list[tuple[DeviceFacts, int]]:
    """Devices (not retired) whose newest value is older than their inactivity timeout, with
    that value's instant (ms)."""
    newest = func.max(t.latest.c.ts).label("newest")
    stmt = (
        select(*_FACTS.selected_columns, newest)
        .join(t.latest, t.latest.c.device_id == _D.c.id)
        .where(_D.c.status != "retired")
        .group_by(*_FACTS.selected_columns)
        .having(
            newest < literal(now_ms, BigInteger) - cast(_D.c.inactivity_seconds, BigInteger) * 1000
        )
    )
    return [(_facts(r), int(r.newest)) for r in session.execute(stmt)]


def newest_ts(session: Session, codes: Sequence[str]) -> dict[str, int]:
    """The newest stored instant (ms) of each named device that has one."""
    out: dict[str, int] = {}
    for start in range(0, len(codes), 1000):
        chunk = list(codes[start : start + 1000])
        stmt = (
            select(_D.c.code, func.max(t.latest.c.ts).label("newest"))
            .join(t.latest, t.latest.c.device_id == _D.c.id)
            .where(_D.c.code.in_(chunk))
            .group_by(_D.c.code)
        )
        out.update({r.code: int(r.newest) for r in session.execute(stmt)})
    return out


def recent_points(
    session: Session, device_id: int, metrics: Sequence[str], *, until_ms: int, limit: int
) -> dict[str, list[tuple[int, float]]]:
    """The last `limit` points (ts ms, value) of each metric up to `until_ms`, oldest first."""
    p = t.points
    out: dict[str, list[tuple[int, float]]] = {}
    for metric in metrics:
        rows = session.execute(
            select(p.c.ts, p.c.value)
            .where(and_(p.c.device_id == device_id, p.c.metric == metric, p.c.ts <= until_ms))
            .order_by(p.c.ts.desc())
            .limit(limit)
        ).all()
        out[metric] = [(int(r.ts), float(r.value)) for r in reversed(rows)]
    return out
