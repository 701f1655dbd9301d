"""Devices in bulk (设备批量导入导出): registering the devices of a CSV or Excel file, and the
device list as a file.

An import is all or nothing: every row is checked first (code, type, point inside the city,
departments, dates and numbers; a code already registered or repeated in the file), and when any
row is wrong nothing is written and the answer lists each error by row, column and message.
A clean file is written in batches of 1,000 rows in the caller's transaction. Imported devices
get no HTTP token (a token is shown once, which a file of 100,000 devices cannot do): an
administrator issues one per device (`issue_token`), or the devices use MQTT.

The export streams the devices of a filter, by code, in batches (keyset paging), so 100,000
devices never sit in memory at once."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cityops.geo.public import CoordSystem, GeoService
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.kernel.errors import DomainError
from cityops.kernel.text import clean_text, code_problem
from cityops.sensing import devices as rows
from cityops.sensing import policy
from cityops.sensing import store as t
from cityops.sensing.device_file import FileRow, RowError
from cityops.sensing.devices import DeviceRecord
from cityops.sensing.model import DeviceStatus

BATCH = 1_000
MAX_ERRORS = 1_000  # errors listed in an answer (all are counted)
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")


@dataclass(frozen=True)
class DeviceImportReport:
    rows: int  # device rows in the file
    imported: int  # devices registered (0 when any row was wrong)
    error_count: int
    errors: list[RowError]  # the first MAX_ERRORS, by row


class DeviceTransfer:
    """import_devices and export_devices (each checks its policy first)."""

    def __init__(
        self,
        *,
        geo: GeoService,
        clock: Clock,
        departments: Callable[[Session], set[str]] | None = None,
    ) -> None:
        self._geo = geo
        self._clock = clock
        self._departments = departments

    def may_import(self, actor: Actor) -> None:
        """Refuse an import before its file is read (administrators, integrations)."""
        policy.may_manage_devices(actor)

    def import_devices(
        self, session: Session, actor: Actor, file_rows: list[FileRow]
    ) -> DeviceImportReport:
        """Register every device of the file, or none when a row is wrong (see the module)."""
        policy.may_manage_devices(actor)
        types = {kind.code: kind for kind in rows.load_types(session)}
        known_departments = self._departments(session) if self._departments else None
        errors: list[RowError] = []
        values: list[dict[str, object]] = []
        seen: dict[str, int] = {}
        now = self._clock.now()
        for row in file_rows:
            problems: list[RowError] = []
            fail: Fail = partial(_fail, problems, row.number)

            cells = row.cells
            code = cells.get("code", "")
            if not code:
                fail("code", "bad_device_code", "the device code is empty")
            elif len(code) > 64 or code_problem(code) or not _CODE.match(code):
                fail("code", "bad_device_code", f"{code!r} is not a device code (A-Z 0-9 . _ : -)")
            elif code in seen:
                fail("code", "duplicate_device_code", f"{code} is also in row {seen[code]}")
            else:
                seen[code] = row.number
            kind = types.get(cells.get("type_code", ""))
            if kind is None:
                fail(
                    "type_code",
                    "unknown_device_type",
                    f"no device type {cells.get('type_code', '')!r}; known: "
                    + ", ".join(sorted(types)),
                )
            point = _point(cells, fail)
            lon = lat = 0.0
            area_code = ""
            if point is not None:
                try:
                    lon, lat = self._geo.to_wgs84(*point)
                    area_code = self._geo.locate(session, lon, lat).areas[-1].code
                except DomainError as exc:
                    fail("lon", exc.code, str(exc))
            for column in ("owner_department", "om_department"):
                dept = cells.get(column, "")
                if dept and known_departments is not None and dept not in known_departments:
                    fail(column, "unknown_department", f"no department {dept}")
            installed = _date(cells.get("installed_on", ""), fail)
            timeout = _timeout(cells.get("inactivity_seconds", ""), fail)
            name = clean_text(cells.get("name", ""))
            if len(name) > 120:
                fail("name", "name_too_long", "a name is at most 120 characters")
            gateway = cells.get("gateway_code", "")
            if len(gateway) > 64 or code_problem(gateway):
                fail("gateway_code", "bad_device_code", "not a gateway code")
            if problems or kind is None:
                errors.extend(problems)
                continue
            values.append(
                {
                    "code": code,
                    "type_code": kind.code,
                    "name": name,
                    "lon": lon,
                    "lat": lat,
                    "area_code": area_code,
                    "owner_department": cells.get("owner_department", ""),
                    "om_department": cells.get("om_department", ""),
                    "gateway_code": gateway,
                    "installed_on": installed,
                    "inactivity_seconds": timeout
                    or int(kind.shortest_interval.total_seconds() * 3),
                    "status": DeviceStatus.active.value,
                    "token_hash": None,
                    "mqtt_username": code,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        errors.extend(self._registered(session, seen))
        errors.sort(key=lambda e: e.row)
        if errors:
            return DeviceImportReport(len(file_rows), 0, len(errors), errors[:MAX_ERRORS])
        for start in range(0, len(values), BATCH):
            session.execute(insert(t.devices), values[start : start + BATCH])
        return DeviceImportReport(len(file_rows), len(values), 0, [])

    def export_devices(
        self,
        session: Session,
        actor: Actor,
        *,
        type_code: str | None = None,
        area_prefix: str | None = None,
        status: str | None = None,
        query: str | None = None,
    ) -> Iterator[DeviceRecord]:
        """The devices of the filter by code, read BATCH at a time (staff)."""
        policy.may_view_sensing(actor)
        return self._iter(session, type_code, area_prefix, status, query)

    def _iter(
        self,
        session: Session,
        type_code: str | None,
        area_prefix: str | None,
        status: str | None,
        query: str | None,
    ) -> Iterator[DeviceRecord]:
        after = ""
        while True:
            stmt = select(t.devices).where(t.devices.c.code > after)
            if type_code:
                stmt = stmt.where(t.devices.c.type_code == type_code)
            if area_prefix:
                stmt = stmt.where(t.devices.c.area_code.startswith(area_prefix, autoescape=True))
            if status:
                stmt = stmt.where(t.devices.c.status == status)
            if query:
                like = f"%{query}%"
                stmt = stmt.where(t.devices.c.code.ilike(like) | t.devices.c.name.ilike(like))
            batch = [
                rows.record_of(r)
                for r in session.execute(stmt.order_by(t.devices.c.code).limit(BATCH))
            ]
            yield from batch
            if len(batch) < BATCH:
                return
            after = batch[-1].code

    @staticmethod
    def _registered(session: Session, seen: dict[str, int]) -> list[RowError]:
        codes = list(seen)
        found: list[RowError] = []
        for start in range(0, len(codes), 500):
            chunk = codes[start : start + 500]
            stored = session.execute(
                select(t.devices.c.code).where(t.devices.c.code.in_(chunk))
            ).scalars()
            for code in stored:
                found.append(RowError(seen[code], "code", "device_exists", f"device {code} exists"))
        return found


Fail = Callable[[str, str, str], None]


def _fail(problems: list[RowError], number: int, column: str, code: str, message: str) -> None:
    problems.append(RowError(number, column, code, message))


def _number(text: str, column: str, fail: Fail) -> float | None:
    try:
        value = float(text)
    except ValueError:
        fail(column, "invalid_point", f"{text!r} is not a number")
        return None
    if not math.isfinite(value):
        fail(column, "invalid_point", f"{text!r} is not a number")
        return None
    return value


def _point(cells: dict[str, str], fail: Fail) -> tuple[float, float, CoordSystem] | None:
    lon = _number(cells.get("lon", ""), "lon", fail)
    lat = _number(cells.get("lat", ""), "lat", fail)
    crs_text = (cells.get("crs", "") or "wgs84").lower()
    if crs_text not in {c.value for c in CoordSystem}:
        fail("crs", "unknown_crs", f"{crs_text!r}: the coordinate systems are wgs84 and gcj02")
        return None
    if lon is None or lat is None:
        return None
    return lon, lat, CoordSystem(crs_text)


def _date(text: str, fail: Fail) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        fail("installed_on", "bad_date", f"{text!r} is not a date (YYYY-MM-DD)")
        return None


def _timeout(text: str, fail: Fail) -> int | None:
    if not text:
        return None
    try:
        value = int(float(text))
    except ValueError:
        value = 0
    if not 10 <= value <= 30 * 86400:
        fail(
            "inactivity_seconds", "bad_inactivity_timeout", "inactivity timeout is 10 s to 30 days"
        )
        return None
    return value
