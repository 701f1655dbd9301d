"""API: the city map (一图观全域, docs/insight/citymap.md). Compact answers for a WebGL map:
cases and devices come as counts per grid cell (the cell size follows `zoom`) or, when few, as
single points, both as arrays of rows named once by `fields`; area polygons of one level as a
GeoJSON document with an ETag; case counts per area for choropleths. Filters are applied on the
server: bbox, time window, category prefix, status, source, area, SLA state; the reader's case
scope always. For leaders, administrators, dispatchers, shift leaders and operators."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from cityops.insight.public import CITY_MAP_MAX_POINTS as MAX_POINTS
from cityops.insight.public import parse_bbox
from cityops.kernel.errors import ValidationFailed
from cityops.sensing.public import DeviceMapFilter
from cityops.web.api import basemap, key_sites
from cityops.web.api.cases import CaseFilterQ
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession

router = APIRouter(prefix="/api/v1/citymap", tags=["citymap"])

BboxQ = Annotated[
    str | None,
    Query(
        max_length=120,
        description="min_lon,min_lat,max_lon,max_lat (WGS84): only what lies inside",
        examples=["120.1,30.2,120.3,30.35"],
    ),
]
ZoomQ = Annotated[float, Query(ge=0, le=22, description="the map's zoom: sets the cell size")]
LevelQ = Annotated[Literal["district", "street", "community", "grid"], Query()]
MaxPointsQ = Annotated[
    int, Query(ge=0, le=MAX_POINTS, description="single points up to this many, else cells")
]

CASE_CELL_FIELDS = ["lon", "lat", "count", "red", "yellow", "green", "open"]
CASE_POINT_FIELDS = ["id", "lon", "lat", "status", "sla", "category", "source"]
DEVICE_CELL_FIELDS = ["lon", "lat", "count", "alarm", "offline", "maintenance", "online"]
DEVICE_POINT_FIELDS = ["code", "name", "type", "lon", "lat", "state"]


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    try:
        return parse_bbox(text)
    except ValueError as exc:
        raise ValidationFailed(str(exc), code="bad_bbox", field="bbox") from exc


def _json(body: dict[str, Any]) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, media_type="application/json")


@router.get("/cases")
def city_map_cases(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    filters: CaseFilterQ,
    zoom: ZoomQ = 12,
    max_points: MaxPointsQ = MAX_POINTS,
) -> Response:
    """`{"mode": "points"|"cells", "total", "cell", "fields", "rows"}`: the filter's placed
    cases in the reader's scope — each case (`id, lon, lat, status, sla, category, source`) when
    at most `max_points`, else per cell of `cell` degrees the mean point, the count and how many
    are red, yellow, green (SLA) and open."""
    # the bbox is one of the case list's filters (CaseFilterQ)
    answer = platform.city_map.cases(session, actor, filters, zoom, max_points)
    if answer.cell_deg is None:
        rows: list[list[Any]] = [
            [
                p.case_id,
                round(p.lon, 6),
                round(p.lat, 6),
                p.status,
                p.sla,
                p.category_code,
                p.source,
            ]
            for p in answer.points
        ]
        return _json(
            {
                "mode": "points",
                "total": answer.total,
                "cell": None,
                "fields": CASE_POINT_FIELDS,
                "rows": rows,
            }
        )
    rows = [
        [round(c.lon, 6), round(c.lat, 6), c.count, c.red, c.yellow, c.green, c.open]
        for c in answer.cells
    ]
    return _json(
        {
            "mode": "cells",
            "total": answer.total,
            "cell": answer.cell_deg,
            "fields": CASE_CELL_FIELDS,
            "rows": rows,
        }
    )


@router.get("/devices")
def city_map_devices(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    bbox: BboxQ = None,
    zoom: ZoomQ = 12,
    area: Annotated[str | None, Query(max_length=40, description="an area code (prefix)")] = None,
    type: Annotated[str | None, Query(max_length=40, description="a device type code")] = None,
    state: Annotated[Literal["alarm", "offline", "maintenance", "online"] | None, Query()] = None,
    max_points: MaxPointsQ = MAX_POINTS,
) -> Response:
    """`{"mode", "total", "cell", "fields", "rows"}`: devices (not retired) with their state —
    alarm (an active alarm), maintenance, offline (nothing within its inactivity timeout) or
    online — each (`code, name, type, lon, lat, state`) or per cell with a count per state."""
    f = DeviceMapFilter(_bbox(bbox), (area,) if area else (), type or None, state)
    answer = platform.city_map.devices(session, actor, f, zoom, max_points)
    if answer.cell_deg is None:
        rows: list[list[Any]] = [
            [d.code, d.name, d.type_code, round(d.lon, 6), round(d.lat, 6), d.state]
            for d in answer.points
        ]
        return _json(
            {
                "mode": "points",
                "total": answer.total,
                "cell": None,
                "fields": DEVICE_POINT_FIELDS,
                "rows": rows,
            }
        )
    rows = [
        [round(c.lon, 6), round(c.lat, 6), c.count, c.alarm, c.offline, c.maintenance, c.online]
        for c in answer.cells
    ]
    return _json(
        {
            "mode": "cells",
            "total": answer.total,
            "cell": answer.cell_deg,
            "fields": DEVICE_CELL_FIELDS,
            "rows": rows,
        }
    )


@router.get("/areas")
def city_map_areas(
    request: Request,
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    level: LevelQ = "street",
) -> Response:
    """The areas of `level` as a GeoJSON FeatureCollection (WGS84, simplified for the level;
    properties code, name, level, parent), with an ETag: a repeat with If-None-Match is a 304."""
    doc = platform.city_map.areas(session, actor, level)
    headers = {"ETag": doc.etag, "Cache-Control": "private, max-age=60"}
    if request.headers.get("if-none-match") == doc.etag:
        return Response(status_code=304, headers=headers)
    return Response(doc.body, media_type="application/geo+json", headers=headers)


@router.get("/area-counts")
def city_map_area_counts(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    filters: CaseFilterQ,
    level: LevelQ = "street",
) -> Response:
    """`{"level", "fields": ["code", "total", "open", "overdue"], "rows"}`: per area of
    `level`, the filter's cases in the reader's scope, the open ones and the overdue ones."""
    counts = platform.city_map.area_counts(session, actor, filters, level)
    return _json(
        {
            "level": level,
            "fields": ["code", "total", "open", "overdue"],
            "rows": [[c.code, c.total, c.open, c.overdue] for c in counts],
        }
    )


@router.get("/category-counts")
def city_map_category_counts(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    filters: CaseFilterQ,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    """`{"fields": ["code", "name", "total", "open"], "rows"}`: the `top` categories with the
    most of the filter's cases in the reader's scope, most first."""
    counts = platform.city_map.category_counts(session, actor, filters, top)
    return _json(
        {
            "fields": ["code", "name", "total", "open"],
            "rows": [[c.code, c.name, c.total, c.open] for c in counts],
        }
    )


# the key sites (重点场所) and the basemap's configuration, under the same prefix
router.include_router(key_sites.router)
router.include_router(basemap.router)
