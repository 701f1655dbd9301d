"""The city map's basemap (docs/insight/citymap.md), chosen by setting (`CITYOPS_BASEMAP`):

- `GET /api/v1/citymap/basemap`: which basemap the page draws — `areas` (the city's own
  polygons, no tiles), `pmtiles` (`url`), `mbtiles` or `raster` (`tiles`: URL templates), with
  the coordinate system of the tiles (`crs`: wgs84, or gcj02 for AMap/Tencent, when the page
  shifts every overlay to GCJ-02 and clicks back), attribution and zoom range.
- `GET /basemap/tiles.pmtiles`: the configured PMTiles file by HTTP range requests (206 with
  Content-Range; 416 for a range past the end; 200 with the whole file without a Range).
- `GET /basemap/{z}/{x}/{y}`: one tile of the configured MBTiles file (SQLite; the TMS row is
  flipped: row = 2^z − 1 − y); 404 for a tile it lacks.

The files are for the map's readers (the city map's policy); 404 when the setting names
another basemap or the file is missing."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response, StreamingResponse

from cityops.kernel.errors import NotFound
from cityops.web.deps import CurrentActor, PlatformDep

router = APIRouter(tags=["citymap"])  # included by the citymap router (/api/v1/citymap)
files = APIRouter(prefix="/basemap", tags=["citymap"])

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_MEDIA = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "pbf": "application/x-protobuf",
    "mvt": "application/x-protobuf",
}


def _mbtiles_metadata(path: FilePath) -> dict[str, str]:
    with closing(_open(path)) as db:
        return {str(k): str(v) for k, v in db.execute("SELECT name, value FROM metadata")}


def _open(path: FilePath) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _vector_layer_ids(text: str | None) -> list[str]:
    """The source layers an MBTiles file of vector tiles declares (its metadata `json`)."""
    try:
        layers = json.loads(text or "{}").get("vector_layers", [])
        return [str(layer["id"]) for layer in layers if isinstance(layer, dict) and "id" in layer]
    except (ValueError, AttributeError):
        return []


@router.get("/basemap")
def basemap_config(platform: PlatformDep, actor: CurrentActor) -> dict[str, Any]:
    """The basemap the map draws: `kind` areas | pmtiles | mbtiles | raster, `crs`, `url`
    (pmtiles), `tiles` (mbtiles, raster), `format` (an MBTiles file's tile format: png, jpg,
    webp, pbf), `attribution`, `min_zoom`, `max_zoom`."""
    platform.city_map.check_reader(actor)
    s = platform.settings
    answer: dict[str, Any] = {
        "kind": s.basemap,
        "crs": s.basemap_crs if s.basemap == "raster" else "wgs84",
        "url": None,
        "tiles": [],
        "format": None,
        "attribution": s.basemap_attribution,
        "min_zoom": 0,
        "max_zoom": s.basemap_max_zoom,
    }
    if s.basemap == "pmtiles":
        answer["url"] = "/basemap/tiles.pmtiles"
    elif s.basemap == "mbtiles" and s.basemap_file is not None:
        answer["tiles"] = ["/basemap/{z}/{x}/{y}"]
        try:
            meta = _mbtiles_metadata(s.basemap_file)
        except sqlite3.Error:
            meta = {}
        answer["format"] = meta.get("format", "png")
        for key, name in (("minzoom", "min_zoom"), ("maxzoom", "max_zoom")):
            if meta.get(key, "").isdigit():
                answer[name] = int(meta[key])
        answer["attribution"] = s.basemap_attribution or meta.get("attribution", "")
        answer["vector_layers"] = _vector_layer_ids(meta.get("json"))
    elif s.basemap == "raster":
        answer["tiles"] = list(s.basemap_tile_urls)
    return answer


def _file(platform: Any, kind: str) -> FilePath:
    s = platform.settings
    path = s.basemap_file
    if s.basemap != kind or path is None or not os.path.isfile(path):
        raise NotFound(f"no {kind} basemap is configured", code="basemap_not_configured")
    return FilePath(path)


def _byte_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(first, last) inclusive for a single satisfiable range; None to send the whole file (no
    Range, or one this server does not take: several ranges, another unit); "unsatisfiable"."""
    if not header:
        return None
    m = _RANGE.match(header.strip())
    if m is None:
        return None
    first, last = m.group(1), m.group(2)
    if first == "" and last == "":
        return None
    if first == "":  # a suffix: the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - n), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or (last != "" and int(last) < start):
        return "unsatisfiable"
    return start, end


def _chunks(path: FilePath, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as f:
        f.seek(start)
        left = length
        while left > 0:
            block = f.read(min(CHUNK, left))
            if not block:
                return
            left -= len(block)
            yield block


@files.api_route("/tiles.pmtiles", methods=["GET", "HEAD"])
def pmtiles_file(request: Request, platform: PlatformDep, actor: CurrentActor) -> Response:
    """The PMTiles archive, by HTTP range requests (the pmtiles library reads its header,
    directories and tiles so)."""
    platform.city_map.check_reader(actor)
    path = _file(platform, "pmtiles")
    stat = path.stat()
    size = stat.st_size
    etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Cache-Control": "private, max-age=3600",
    }
    wanted = _byte_range(request.headers.get("range"), size)
    if request.headers.get("if-range") not in (None, etag):
        wanted = None  # the file changed since the client's copy: send it whole
    if wanted == "unsatisfiable":
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if wanted is None:
        start, length, status = 0, size, 200
    else:
        assert isinstance(wanted, tuple)
        start, length, status = wanted[0], wanted[1] - wanted[0] + 1, 206
        headers["Content-Range"] = f"bytes {wanted[0]}-{wanted[1]}/{size}"
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type="application/octet-stream")
    return StreamingResponse(
        _chunks(path, start, length),
        status_code=status,
        headers=headers,
        media_type="application/octet-stream",
    )


@files.get("/{z}/{x}/{y}")
def mbtiles_tile(
    platform: PlatformDep,
    actor: CurrentActor,
    z: Annotated[int, Path(ge=0, le=22)],
    x: Annotated[int, Path(ge=0)],
    y: Annotated[int, Path(ge=0)],
) -> Response:
    """Tile z/x/y (XYZ, as web maps number them) of the MBTiles file, whose rows count from the
    south (TMS); 404 when the file lacks it."""
    platform.city_map.check_reader(actor)
    path = _file(platform, "mbtiles")
    n = 1 << z
    if x >= n or y >= n:
        raise NotFound(f"no tile {z}/{x}/{y}", code="tile_not_found")
    with closing(_open(path)) as db:
        row = db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, n - 1 - y),
        ).fetchone()
        fmt = db.execute("SELECT value FROM metadata WHERE name = 'format'").fetchone()
    if row is None or row[0] is None:
        raise NotFound(f"no tile {z}/{x}/{y}", code="tile_not_found")
    data = bytes(row[0])
    media = _MEDIA.get(str(fmt[0]).lower() if fmt else "png", "application/octet-stream")
    headers = {"Cache-Control": "private, max-age=86400"}
    if data[:2] == b"\x1f\x8b":  # vector tiles are stored gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(data, media_type=media, headers=headers)
