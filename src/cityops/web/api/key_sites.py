"""API: the city map's key sites (重点场所, docs/insight/citymap.md) under /api/v1/citymap —
`POST /key-sites/import` (administrators: a GeoJSON FeatureCollection of Points or a CSV
kind,name,lon,lat[,address]; all rows or none, 422 `key_sites_rejected` naming each wrong row and
field), `GET /key-sites` (the map's readers: compact rows in a bbox), `GET /key-sites/{id}` (one
site with the open cases near it) and `DELETE /key-sites?kind=` (administrators)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from cityops.geo.public import CoordSystem
from cityops.insight.public import (
    KEY_SITE_NEAR_M,
    KEY_SITES_MAX,
    key_site_kind,
    parse_bbox,
    parse_key_sites_csv,
    parse_key_sites_geojson,
)
from cityops.kernel.errors import ValidationFailed
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession

router = APIRouter(tags=["citymap"])

MAX_FILE_BYTES = 16 * 1024 * 1024  # 20,000 sites of GeoJSON with a few properties: ~6 MB
SITE_FIELDS = ["id", "kind", "name", "lon", "lat", "address"]

KindQ = Annotated[
    str | None,
    Query(max_length=32, description="a kind's code (school, hospital, …) or its Chinese word"),
]


class KeySiteImportPublic(BaseModel):
    batch: str
    imported: int
    replaced: int
    kinds: list[str]


class KeySiteDeletePublic(BaseModel):
    kind: str
    deleted: int


def _kind(text: str | None) -> str | None:
    if not text:
        return None
    code = key_site_kind(text)
    if code is None:
        raise ValidationFailed(f"{text!r} is not a kind", code="bad_key_site_kind", field="kind")
    return code


@router.post(
    "/key-sites/import",
    response_model=KeySiteImportPublic,
    responses={422: {"description": "a row is wrong: nothing was written; details.errors"}},
)
def import_key_sites(
    platform: PlatformDep,
    actor: CurrentActor,
    file: Annotated[UploadFile, File(description="a .geojson/.json or .csv (UTF-8) file")],
    kind: KindQ = None,
    crs: Annotated[CoordSystem, Query(description="the file's coordinates")] = CoordSystem.wgs84,
    replace: Annotated[
        bool, Query(description="remove the stored sites of the file's kinds first")
    ] = False,
) -> Any:
    """Import the file's key sites (administrators) — all of them, or none when any row is
    wrong: 422 `key_sites_rejected` with each error's row, field and message in
    `details.errors`. At most 20,000 sites; `kind` for the rows that name none; GCJ-02 points
    with `crs=gcj02` (stored in WGS84)."""
    platform.key_sites.may_manage(actor)
    default_kind = _kind(kind)
    content = file.file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise ValidationFailed(f"the file exceeds {MAX_FILE_BYTES} bytes", code="file_too_large")
    name = (file.filename or "").lower()
    is_csv = name.endswith(".csv") or (
        not name.endswith((".json", ".geojson")) and content.lstrip()[:1] != b"{"
    )
    parse = parse_key_sites_csv if is_csv else parse_key_sites_geojson
    rows, errors = parse(content, default_kind)
    with platform.uow() as uow:
        done = platform.key_sites.import_sites(
            uow.session, actor, rows, errors, crs=crs, replace=replace
        )
    return KeySiteImportPublic(**vars(done))


@router.get("/key-sites")
def list_key_sites(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    kind: Annotated[
        list[str] | None, Query(max_length=32, description="repeat for several; none: all")
    ] = None,
    bbox: Annotated[
        str | None,
        Query(max_length=120, description="min_lon,min_lat,max_lon,max_lat (WGS84)"),
    ] = None,
) -> Response:
    """`{"total", "limited", "fields", "rows", "kinds"}`: the key sites (`id, kind, name, lon,
    lat, address`, WGS84) of the kinds inside the bbox, in the reader's areas when the reader
    has any, at most 20,000 (`limited`: more matched); `kinds`: per kind, how many the reader
    sees in all (for the legend)."""
    try:
        box = parse_bbox(bbox)
    except ValueError as exc:
        raise ValidationFailed(str(exc), code="bad_bbox", field="bbox") from exc
    kinds = [k for k in (_kind(t) for t in kind or ()) if k]
    sites = platform.key_sites.list_sites(session, actor, kinds=kinds, bbox=box)
    counts = platform.key_sites.kind_counts(session, actor)
    body = {
        "total": len(sites),
        "limited": len(sites) >= KEY_SITES_MAX,
        "fields": SITE_FIELDS,
        "rows": [
            [s.id, s.kind, s.name, round(s.lon, 6), round(s.lat, 6), s.address] for s in sites
        ],
        "kinds": [{"kind": k, "count": n} for k, n in counts],
    }
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        media_type="application/json",
    )


@router.get("/key-sites/{site_id}")
def get_key_site(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    site_id: Annotated[int, Path(ge=1, le=2**62)],
) -> dict[str, Any]:
    """One key site with `open_cases`: the open cases in the reader's case scope within
    `near_m` metres east, west, north and south of it (`near_bbox`, the bbox the case list
    takes)."""
    d = platform.key_sites.site_detail(session, actor, site_id)
    s = d.site
    return {
        "id": s.id,
        "kind": s.kind,
        "name": s.name,
        "lon": round(s.lon, 6),
        "lat": round(s.lat, 6),
        "address": s.address,
        "area_code": s.area_code,
        "properties": s.properties,
        "imported_at": s.imported_at.isoformat(),
        "batch": s.batch,
        "open_cases": d.open_cases,
        "near_m": KEY_SITE_NEAR_M,
        "near_bbox": ",".join(f"{v:.6f}" for v in d.near_bbox),
    }


@router.delete("/key-sites", response_model=KeySiteDeletePublic)
def delete_key_sites(
    platform: PlatformDep,
    actor: CurrentActor,
    kind: Annotated[str, Query(min_length=1, max_length=32, description="the kind whose sites go")],
) -> KeySiteDeletePublic:
    """Remove every key site of `kind` (administrators); answers how many went."""
    platform.key_sites.may_manage(actor)
    code = _kind(kind)
    assert code is not None  # a required, non-empty query parameter
    with platform.uow() as uow:
        deleted = platform.key_sites.delete_kind(uow.session, actor, code)
    return KeySiteDeletePublic(kind=code, deleted=deleted)
