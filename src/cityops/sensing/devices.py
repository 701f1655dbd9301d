"""Device and device-type rows: reads and writes (the tables are store.py's)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.orm import Session

from cityops.sensing import store as t
from cityops.sensing.catalog import DeviceType, metric_from_dict, metric_to_dict
from cityops.sensing.model import DeviceStatus


@dataclass(frozen=True)
class DeviceRecord:
    id: int
    code: str
    type_code: str
    name: str
    lon: float
    lat: float
    area_code: str
    owner_department: str
    om_department: str
    gateway_code: str
    installed_on: date | None
    inactivity_seconds: int
    status: DeviceStatus
    has_token: bool
    mqtt_username: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DeviceAuth:
    """What ingestion needs of a device: who it is, its type, whether it may send."""

    id: int
    code: str
    type_code: str
    status: DeviceStatus
    token_hash: str | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_hash(code: str, password: str) -> str:
    """A device password as kept: SHA-256 salted with the device code (HJ 212 stations send
    theirs in clear in every frame, so a slow hash would only cost each frame)."""
    return hashlib.sha256(f"{code}\x00{password}".encode()).hexdigest()


def password_hash_of(session: Session, code: str) -> str | None:
    value = session.execute(
        select(t.devices.c.mqtt_password_hash).where(t.devices.c.code == code)
    ).scalar_one_or_none()
    return None if value is None else str(value)


def _record(row: Row[Any]) -> DeviceRecord:
    return DeviceRecord(
        id=int(row.id),
        code=row.code,
        type_code=row.type_code,
        name=row.name,
        lon=row.lon,
        lat=row.lat,
        area_code=row.area_code,
        owner_department=row.owner_department,
        om_department=row.om_department,
        gateway_code=row.gateway_code,
        installed_on=row.installed_on,
        inactivity_seconds=int(row.inactivity_seconds),
        status=DeviceStatus(row.status),
        has_token=row.token_hash is not None,
        mqtt_username=row.mqtt_username,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def record_of(row: Row[Any]) -> DeviceRecord:
    """A `sensing_devices` row as its record (for the reads of device_import.py)."""
    return _record(row)


def save_types(session: Session, types: Sequence[DeviceType], at: datetime) -> None:
    """Insert the types not stored yet, update the others."""
    stored = set(session.execute(select(t.device_types.c.code)).scalars())
    for kind in types:
        values = {
            "name_zh": kind.name_zh,
            "name_en": kind.name_en,
            "sdm_type": kind.sdm_type,
            "metrics": [metric_to_dict(m) for m in kind.metrics],
            "raw_retention_days": kind.raw_retention_days,
            "rollup_retention_days": kind.rollup_retention_days,
            "updated_at": at,
        }
        if kind.code in stored:
            session.execute(
                update(t.device_types).where(t.device_types.c.code == kind.code).values(**values)
            )
        else:
            session.execute(insert(t.device_types).values(code=kind.code, **values))


def load_types(session: Session) -> list[DeviceType]:
    rows = session.execute(select(t.device_types).order_by(t.device_types.c.code))
    return [
        DeviceType(
            code=row.code,
            name_zh=row.name_zh,
            name_en=row.name_en,
            sdm_type=row.sdm_type,
            metrics=tuple(metric_from_dict(m) for m in row.metrics),
            raw_retention_days=int(row.raw_retention_days),
            rollup_retention_days=int(row.rollup_retention_days),
        )
        for row in rows
    ]


def insert_device(session: Session, values: dict[str, Any]) -> DeviceRecord:
    row = session.execute(insert(t.devices).values(**values).returning(t.devices)).one()
    return _record(row)


def update_device(session: Session, device_id: int, values: dict[str, Any]) -> DeviceRecord:
    row = session.execute(
        update(t.devices).where(t.devices.c.id == device_id).values(**values).returning(t.devices)
    ).one()
    return _record(row)


def get_device(session: Session, code: str) -> DeviceRecord | None:
    row = session.execute(select(t.devices).where(t.devices.c.code == code)).one_or_none()
    return None if row is None else _record(row)


def list_devices(
    session: Session,
    *,
    type_code: str | None = None,
    area_prefix: str | None = None,
    status: str | None = None,
    query: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[DeviceRecord], int]:
    stmt = select(t.devices)
    if type_code:
        stmt = stmt.where(t.devices.c.type_code == type_code)
    if area_prefix:
        stmt = stmt.where(t.devices.c.area_code.startswith(area_prefix, autoescape=True))
    if status:
        stmt = stmt.where(t.devices.c.status == status)
    if query:
        like = f"%{query}%"
        stmt = stmt.where(t.devices.c.code.ilike(like) | t.devices.c.name.ilike(like))
    total = int(session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())
    rows = session.execute(stmt.order_by(t.devices.c.code).offset(offset).limit(limit))
    return [_record(row) for row in rows], total


def auth_by_code(session: Session, codes: Sequence[str]) -> dict[str, DeviceAuth]:
    rows = session.execute(
        select(
            t.devices.c.id,
            t.devices.c.code,
            t.devices.c.type_code,
            t.devices.c.status,
            t.devices.c.token_hash,
        ).where(t.devices.c.code.in_(list(codes)))
    )
    return {
        row.code: DeviceAuth(
            int(row.id), row.code, row.type_code, DeviceStatus(row.status), row.token_hash
        )
        for row in rows
    }


def auth_by_token(session: Session, hashed: str) -> DeviceAuth | None:
    row = session.execute(
        select(
            t.devices.c.id,
            t.devices.c.code,
            t.devices.c.type_code,
            t.devices.c.status,
            t.devices.c.token_hash,
        ).where(t.devices.c.token_hash == hashed)
    ).one_or_none()
    if row is None:
        return None
    return DeviceAuth(
        int(row.id), row.code, row.type_code, DeviceStatus(row.status), row.token_hash
    )
