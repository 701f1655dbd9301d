"""The city map's arithmetic, pure: the cell size a zoom level gets, and the simplification of
area polygons per level (Douglas–Peucker on each ring, in degrees)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

TILE_PX = 256
CELL_PX = 64  # a cluster cell is about 64 screen pixels wide at its zoom
MAX_POINTS = 2000  # at most this many cases (or devices) come as single points

# tolerance in degrees per level (~ metres at 30°N: 1e-5 ≈ 1 m)
SIMPLIFY_DEG = {"district": 2e-4, "street": 1e-4, "community": 4e-5, "grid": 1e-5}
LEVELS = tuple(SIMPLIFY_DEG)


def cell_size(zoom: float) -> float:
    """The cell width in degrees at `zoom` (web mercator: a 256 px tile spans 360/2^z°)."""
    z = max(0.0, min(22.0, zoom))
    return float(360.0 / (2.0**z) / (TILE_PX / CELL_PX))


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """`min_lon,min_lat,max_lon,max_lat` → a tuple; None for none; ValueError when malformed."""
    if not text:
        return None
    parts = [float(p) for p in text.split(",")]
    if len(parts) != 4:
        raise ValueError("bbox needs four numbers")
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValueError("bbox out of range or inverted")
    return min_lon, min_lat, max_lon, max_lat


def _perpendicular(p: Sequence[float], a: Sequence[float], b: Sequence[float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 and dy == 0:
        return float(((p[0] - a[0]) ** 2 + (p[1] - a[1]) ** 2) ** 0.5)
    return float(
        abs(dy * p[0] - dx * p[1] + b[0] * a[1] - b[1] * a[0]) / (dx * dx + dy * dy) ** 0.5
    )


def simplify_line(points: Sequence[Sequence[float]], tolerance: float) -> list[list[float]]:
    """Douglas–Peucker: the points of `points` needed to stay within `tolerance` of it."""
    if len(points) < 3:
        return [list(p) for p in points]
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            d = _perpendicular(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if index >= 0 and worst > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [[round(p[0], 6), round(p[1], 6)] for p, k in zip(points, keep, strict=True) if k]


def _ring(ring: Sequence[Sequence[float]], tolerance: float) -> list[list[float]]:
    out = simplify_line(ring, tolerance)
    # a ring keeps at least its closing triangle
    return out if len(out) >= 4 else [[round(p[0], 6), round(p[1], 6)] for p in ring]


def simplify_geometry(geometry: Mapping[str, Any], tolerance: float) -> dict[str, Any]:
    """A GeoJSON Polygon or MultiPolygon with each ring simplified; other types unchanged."""
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon" and coords:
        return {"type": kind, "coordinates": [_ring(r, tolerance) for r in coords]}
    if kind == "MultiPolygon" and coords:
        return {
            "type": kind,
            "coordinates": [[_ring(r, tolerance) for r in poly] for poly in coords],
        }
    return dict(geometry)
