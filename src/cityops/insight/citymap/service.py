"""The city map's reads (一图观全域): cases and devices as server-side clusters (counts per cell
of a grid whose size follows the zoom) or, when few, as single points; the area polygons of one
level, simplified and kept as a GeoJSON document with an ETag; the case counts per area for
choropleths. Every read checks `policy.may_view_city_map`; cases are read through the reader's
case scope, devices narrowed to the reader's areas when they have any."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cityops.cases.public import (
    AreaCaseCounts,
    CaseCell,
    CaseFilter,
    CategoryCaseCounts,
    MapCase,
    case_cells,
    case_points,
    cases_per_area,
    cases_per_category,
)
from cityops.geo.public import AreaLevel, GeoService
from cityops.insight.citymap.model import MAX_POINTS, SIMPLIFY_DEG, cell_size, simplify_geometry
from cityops.insight.policy import may_view_city_map
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.sensing.public import (
    DeviceCell,
    DeviceMapFilter,
    MapDevice,
    count_devices,
    device_cells,
    device_points,
)

AREAS_TTL_S = 300.0  # a level's polygons are rebuilt at most this often


@dataclass(frozen=True)
class CaseMap:
    total: int
    cell_deg: float | None  # None: `points` holds every case
    cells: list[CaseCell]
    points: list[MapCase]


@dataclass(frozen=True)
class DeviceMap:
    total: int
    cell_deg: float | None
    cells: list[DeviceCell]
    points: list[MapDevice]


@dataclass(frozen=True)
class AreaDocument:
    etag: str
    body: bytes  # a GeoJSON FeatureCollection


class CityMapService:
    def __init__(self, geo: GeoService, clock: Clock) -> None:
        self._geo = geo
        self._clock = clock
        self._lock = threading.Lock()
        self._areas: dict[str, tuple[float, AreaDocument]] = {}

    def check_reader(self, actor: Actor) -> None:
        """Refuse anyone the city map is not for (its basemap files are served to its readers)."""
        may_view_city_map(actor)

    def cases(
        self,
        session: Session,
        actor: Actor,
        f: CaseFilter,
        zoom: float,
        max_points: int = MAX_POINTS,
    ) -> CaseMap:
        """The filter's cases in the reader's scope: single points when at most `max_points`,
        else counts per cell of the zoom's size."""
        may_view_city_map(actor)
        now = self._clock.now()
        # the cells first (one pass over the matching cases); the points only when few match
        size = cell_size(zoom)
        cells = case_cells(session, actor, f, now, size)
        total = sum(c.count for c in cells)
        if total <= max_points:
            return CaseMap(total, None, [], case_points(session, actor, f, now, max_points))
        return CaseMap(total, size, cells, [])

    def devices(
        self,
        session: Session,
        actor: Actor,
        f: DeviceMapFilter,
        zoom: float,
        max_points: int = MAX_POINTS,
    ) -> DeviceMap:
        """The devices (not retired) with their state, narrowed to the reader's areas: points
        when at most `max_points` match the place filters, else counts per cell."""
        may_view_city_map(actor)
        if actor.area_codes:
            wanted = f.area_prefixes or actor.area_codes
            inside = tuple(
                p for p in wanted if any(p.startswith(a) for a in actor.area_codes)
            ) or tuple(a for a in actor.area_codes if any(a.startswith(p) for p in wanted))
            if not inside:
                return DeviceMap(0, None, [], [])
            f = DeviceMapFilter(f.bbox, inside, f.type_code, f.state)
        now_ms = int(self._clock.now().timestamp() * 1000)
        total = count_devices(session, f)
        if total <= max_points:
            points = device_points(session, f, now_ms, max_points)
            return DeviceMap(len(points), None, [], points)
        size = cell_size(zoom)
        cells = device_cells(session, f, now_ms, size)
        return DeviceMap(sum(c.count for c in cells), size, cells, [])

    def area_counts(
        self, session: Session, actor: Actor, f: CaseFilter, level: str
    ) -> list[AreaCaseCounts]:
        """Per area of `level`: the filter's cases in the reader's scope, open and overdue."""
        may_view_city_map(actor)
        return cases_per_area(session, actor, f, self._clock.now(), level)

    def category_counts(
        self, session: Session, actor: Actor, f: CaseFilter, limit: int
    ) -> list[CategoryCaseCounts]:
        """The categories with the most of the filter's cases in the reader's scope."""
        may_view_city_map(actor)
        return cases_per_category(session, actor, f, self._clock.now(), limit)

    def areas(self, session: Session, actor: Actor, level: str) -> AreaDocument:
        """The areas of `level` in use as a GeoJSON FeatureCollection (WGS84), simplified for
        the level, with code, name, level and parent code; built at most every AREAS_TTL_S."""
        may_view_city_map(actor)
        now = time.monotonic()
        with self._lock:
            kept = self._areas.get(level)
            if kept is not None and now - kept[0] < AREAS_TTL_S:
                return kept[1]
        doc = self._build_areas(session, level)
        with self._lock:
            self._areas[level] = (now, doc)
        return doc

    def _build_areas(self, session: Session, level: str) -> AreaDocument:
        tolerance = SIMPLIFY_DEG[level]
        features = [
            {
                "type": "Feature",
                "id": i,
                "properties": {
                    "code": f.ref.code,
                    "name": f.ref.name,
                    "level": str(f.ref.level),
                    "parent": f.parent_code,
                },
                "geometry": simplify_geometry(f.geometry, tolerance),
            }
            for i, f in enumerate(self._geo.list_features(session, AreaLevel(level)))
        ]
        body = json.dumps(
            {"type": "FeatureCollection", "features": features},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        return AreaDocument('"' + hashlib.sha256(body).hexdigest()[:20] + '"', body)
