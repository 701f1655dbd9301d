"""Sensing use cases: device types and devices, tokens, and the ingestion they feed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cityops.geo.public import CoordSystem, GeoService
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.kernel.errors import Conflict, NotFound, ValidationFailed
from cityops.kernel.text import clean_text, code_problem
from cityops.sensing import devices as rows
from cityops.sensing import policy, series
from cityops.sensing.catalog import DeviceType, shipped_types
from cityops.sensing.devices import DeviceRecord
from cityops.sensing.ingest import DeviceDirectory, Ingestion
from cityops.sensing.model import DeviceStatus
from cityops.sensing.reads import HealthAnswer, LatestAnswer, LatestTexts, Series, SeriesReads
from cityops.sensing.retention import RetentionJob
from cityops.sensing.rollup import RollupJob
from cityops.sensing.series import StoredDeadLetter
from cityops.sensing.writer import TelemetryWriter


@dataclass(frozen=True)
class NewDevice:
    code: str
    type_code: str
    lon: float
    lat: float
    crs: CoordSystem = CoordSystem.wgs84
    name: str = ""
    owner_department: str = ""
    om_department: str = ""
    gateway_code: str = ""
    installed_on: date | None = None
    inactivity_seconds: int | None = None  # default: 3 expected intervals of the type


@dataclass(frozen=True)
class RegisteredDevice:
    device: DeviceRecord
    token: str  # shown once: only its hash is kept


class SensingService:
    def __init__(
        self,
        *,
        geo: GeoService,
        clock: Clock,
        engine: Engine,
        reads: sessionmaker[Session],
        departments: Callable[[Session], set[str]] | None = None,
    ) -> None:
        self._geo = geo
        self._clock = clock
        self._departments = departments
        self.directory = DeviceDirectory(reads)
        self.writer = TelemetryWriter(engine, clock.now)
        self.ingestion = Ingestion(self.directory, self.writer, clock.now)
        # storage jobs (scheduled in app.py) and the reads of the time series
        self._reads = reads
        self.rollup = RollupJob(engine, self._now_ms)
        self.retention = RetentionJob(engine, self.writer.partitions, self._types, self._now_ms)
        self.series_reads = SeriesReads(clock.now)

    # -- device types ----------------------------------------------------------------------
    def seed_types(self, session: Session) -> list[DeviceType]:
        """Store the shipped device types (new ones added, known ones updated)."""
        types = shipped_types()
        rows.save_types(session, types, self._clock.now())
        self.directory.set_types(types)
        return types

    def device_types(self, session: Session, actor: Actor) -> list[DeviceType]:
        policy.may_view_sensing(actor)
        return rows.load_types(session)

    # -- devices ---------------------------------------------------------------------------
    def register_device(self, session: Session, actor: Actor, new: NewDevice) -> RegisteredDevice:
        policy.may_manage_devices(actor)
        problem = code_problem(new.code) if new.code else "is empty"
        if problem or len(new.code) > 64:
            raise ValidationFailed(
                f"device code {problem or 'is too long'}", code="bad_device_code"
            )
        types = {kind.code: kind for kind in rows.load_types(session)}
        kind = types.get(new.type_code)
        if kind is None:
            raise ValidationFailed(
                f"no device type {new.type_code}; known: {', '.join(sorted(types))}",
                code="unknown_device_type",
            )
        if rows.get_device(session, new.code) is not None:
            raise Conflict(f"device {new.code} exists", code="device_exists")
        self._check_departments(session, new.owner_department, new.om_department)
        lon, lat = self._geo.to_wgs84(new.lon, new.lat, new.crs)
        chain = self._geo.locate(session, lon, lat)
        token = secrets.token_urlsafe(24)
        now = self._clock.now()
        timeout = new.inactivity_seconds or int(kind.shortest_interval.total_seconds() * 3)
        if timeout < 10 or timeout > 30 * 86400:
            raise ValidationFailed(
                "inactivity timeout is 10 s to 30 days", code="bad_inactivity_timeout"
            )
        record = rows.insert_device(
            session,
            {
                "code": new.code,
                "type_code": kind.code,
                "name": clean_text(new.name)[:120],
                "lon": lon,
                "lat": lat,
                "area_code": chain.areas[-1].code,
                "owner_department": new.owner_department,
                "om_department": new.om_department,
                "gateway_code": new.gateway_code,
                "installed_on": new.installed_on,
                "inactivity_seconds": timeout,
                "status": DeviceStatus.active.value,
                "token_hash": rows.token_hash(token),
                "mqtt_username": new.code,
                "created_at": now,
                "updated_at": now,
            },
        )
        self.directory.forget(new.code)
        return RegisteredDevice(record, token)

    def issue_token(self, session: Session, actor: Actor, code: str) -> str:
        """A new HTTP token for the device; the old one stops working."""
        policy.may_manage_devices(actor)
        device = self._device(session, code)
        token = secrets.token_urlsafe(24)
        rows.update_device(
            session,
            device.id,
            {"token_hash": rows.token_hash(token), "updated_at": self._clock.now()},
        )
        self.directory.forget(code)
        return token

    def set_password(self, session: Session, actor: Actor, code: str, password: str) -> None:
        """The device's password for MQTT and HJ 212 (PW); only its salted hash is kept."""
        policy.may_manage_devices(actor)
        if not 6 <= len(password) <= 64 or code_problem(password):
            raise ValidationFailed(
                "a device password is 6 to 64 characters", code="bad_device_password"
            )
        device = self._device(session, code)
        rows.update_device(
            session,
            device.id,
            {
                "mqtt_password_hash": rows.password_hash(code, password),
                "updated_at": self._clock.now(),
            },
        )

    def set_status(
        self, session: Session, actor: Actor, code: str, status: DeviceStatus
    ) -> DeviceRecord:
        policy.may_manage_devices(actor)
        device = self._device(session, code)
        record = rows.update_device(
            session, device.id, {"status": status.value, "updated_at": self._clock.now()}
        )
        self.directory.forget(code)
        return record

    def get_device(self, session: Session, actor: Actor, code: str) -> DeviceRecord:
        policy.may_view_sensing(actor)
        return self._device(session, code)

    def list_devices(
        self,
        session: Session,
        actor: Actor,
        *,
        type_code: str | None = None,
        area_prefix: str | None = None,
        status: str | None = None,
        query: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[DeviceRecord], int]:
        policy.may_view_sensing(actor)
        return rows.list_devices(
            session,
            type_code=type_code,
            area_prefix=area_prefix,
            status=status,
            query=query,
            offset=offset,
            limit=limit,
        )

    def dead_letters(
        self,
        session: Session,
        actor: Actor,
        *,
        reason: str | None = None,
        device_code: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[StoredDeadLetter], int, dict[str, int]]:
        """What ingestion could not use, newest first, with the counts per reason."""
        policy.may_view_sensing(actor)
        return series.list_dead_letters(
            session.connection(),
            reason=reason,
            device_code=device_code,
            offset=offset,
            limit=limit,
        )

    # -- time series ---------------------------------------------------------------------
    def series(
        self,
        session: Session,
        actor: Actor,
        code: str,
        *,
        metric: str,
        start: datetime | None = None,
        end: datetime | None = None,
        interval: str = "raw",
        agg: str = "avg",
        points: int | None = None,
    ) -> Series:
        """A device's metric over a range: raw, or a rollup interval under an aggregate, and
        LTTB-downsampled to `points` (reads.SeriesReads.series)."""
        policy.may_view_sensing(actor)
        return self.series_reads.series(
            session,
            actor,
            code,
            metric=metric,
            start=start,
            end=end,
            interval=interval,
            agg=agg,
            points=points,
        )

    def latest(
        self,
        session: Session,
        actor: Actor,
        *,
        device: str | None = None,
        area: str | None = None,
        type_code: str | None = None,
        metric: str | None = None,
        limit: int = 10_000,
    ) -> LatestAnswer:
        """Latest values of a device, or of an area's and/or a type's devices, with summaries."""
        policy.may_view_sensing(actor)
        return self.series_reads.latest(
            session,
            actor,
            device=device,
            area=area,
            type_code=type_code,
            metric=metric,
            limit=limit,
        )

    def latest_texts(
        self,
        session: Session,
        actor: Actor,
        *,
        area: str | None = None,
        type_code: str | None = None,
        limit: int = 10_000,
    ) -> LatestTexts:
        """All latest values of an area's and/or a type's devices as stored JSON texts."""
        return self.series_reads.latest_texts(
            session, actor, area=area, type_code=type_code, limit=limit
        )

    def health(
        self,
        session: Session,
        actor: Actor,
        *,
        group_by: str = "type",
        area: str | None = None,
        window_minutes: int = 60,
    ) -> HealthAnswer:
        """在线率 and 数据完整率 per type, area or O&M unit (reads.SeriesReads.health)."""
        policy.may_view_sensing(actor)
        return self.series_reads.health(
            session, actor, group_by=group_by, area=area, window_minutes=window_minutes
        )

    def _types(self) -> list[DeviceType]:
        with self._reads() as session:
            return rows.load_types(session)

    def _now_ms(self) -> int:
        return int(self._clock.now().timestamp() * 1000)

    def _device(self, session: Session, code: str) -> DeviceRecord:
        device = rows.get_device(session, code)
        if device is None:
            raise NotFound(f"no device {code}", code="device_not_found")
        return device

    def _check_departments(self, session: Session, *codes: str) -> None:
        if self._departments is None:
            return
        known = self._departments(session)
        for code in codes:
            if code and code not in known:
                raise ValidationFailed(f"no department {code}", code="unknown_department")

    def now(self) -> datetime:
        return self._clock.now()
