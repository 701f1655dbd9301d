"""Geometry work with shapely 2: the in-memory point → area index, shape clean-up, grid cells.
Pure (no database): the service feeds it rows and asks it questions."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeAlias

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from cityops.geo.coords import CoordSystem, gcj02_to_wgs84_array, wgs84_to_gcj02_array
from cityops.geo.model import AreaChain, AreaRef, build_chain

Geometry: TypeAlias = BaseGeometry  # shapely ships no type stubs: this is Any to mypy
BBox = tuple[float, float, float, float]


class AreaIndex:
    """Every area's polygon in an STRtree, prepared for fast point tests.

    `locate` asks the tree for the polygons whose boxes hold the point, tests those with
    prepared geometries, and keeps the deepest level (ties: the smallest area). `known` are
    areas that only `chain_of` resolves (retired ones: no point lands in them any more)."""

    def __init__(
        self,
        items: Sequence[tuple[AreaRef, str | None, Geometry]],
        known: Sequence[tuple[AreaRef, str | None]] = (),
    ) -> None:
        self._refs = [ref for ref, _, _ in items]
        self._geoms = np.array([geom for _, _, geom in items], dtype=object)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        # preference per geometry: deeper level first, then smaller area
        areas = shapely.area(self._geoms) if len(items) else np.zeros(0)
        self._key = [(-ref.level.rank, float(a)) for ref, a in zip(self._refs, areas, strict=True)]
        self._links: dict[str, tuple[AreaRef, str | None]] = {
            ref.code: (ref, parent) for ref, parent in known
        }
        self._links.update((ref.code, (ref, parent)) for ref, parent, _ in items)
        self._chains: dict[str, AreaChain] = {}
        self._at = {ref.code: i for i, ref in enumerate(self._refs)}
        self._roots: list[AreaRef] | None = None

    def __len__(self) -> int:
        return len(self._refs)

    def smallest_at(self, lon: float, lat: float) -> AreaRef | None:
        """The smallest area holding the point (boundaries included), or None."""
        if not self._refs:
            return None
        # a degenerate box is the cheapest shapely geometry to build for a bbox query
        candidates = self._tree.query(shapely.box(lon, lat, lon, lat))
        if candidates.size == 0:
            return None
        hits = candidates[shapely.intersects_xy(self._geoms[candidates], lon, lat)].tolist()
        if not hits:
            return None
        best: int = min(hits, key=self._key.__getitem__)
        return self._refs[best]

    def locate(self, lon: float, lat: float) -> AreaChain | None:
        ref = self.smallest_at(lon, lat)
        return None if ref is None else self.chain_of(ref.code)

    def areas(self) -> list[tuple[AreaRef, str | None]]:
        """Every area with its parent code (the `known` ones too)."""
        return list(self._links.values())

    def located_areas(self) -> list[tuple[AreaRef, str | None]]:
        """The areas a point can land in, with their parent codes (not the `known` ones)."""
        return [self._links[ref.code] for ref in self._refs]

    def representative_point(self, code: str) -> tuple[float, float]:
        """A point surely inside the area (lon, lat), standing for it on a map."""
        point = self._geoms[self._at[code]].representative_point()
        return float(point.x), float(point.y)

    def roots(self) -> list[AreaRef]:
        """The top-level areas a point can land in (none of those above them can), largest
        level first, then by code."""
        if self._roots is None:
            tops = [
                ref
                for ref in self._refs
                if not any(a.code in self._at for a in self.chain_of(ref.code).areas[:-1])
            ]
            self._roots = sorted(tops, key=lambda ref: (ref.level.rank, ref.code))
        return list(self._roots)

    def chain_of(self, code: str) -> AreaChain:
        chain = self._chains.get(code)
        if chain is None:
            chain = build_chain(code, self._links)
            self._chains[code] = chain
        return chain


# --- shapes ----------------------------------------------------------------------------------


def polygonal(geom: Geometry) -> Geometry:
    """A valid Polygon or MultiPolygon from any input shape (repairs self-intersections, drops
    stray lines and points). Empty when nothing polygonal is left."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    merged: Geometry = shapely.union_all(parts)
    return merged


def merge_shapes(shapes: Iterable[Geometry]) -> Geometry:
    """One polygonal shape from several parts (an area drawn as several features)."""
    parts = [polygonal(s) for s in shapes]
    parts = [p for p in parts if not p.is_empty]
    if not parts:
        return shapely.Polygon()
    if len(parts) == 1:
        return parts[0]
    return polygonal(shapely.union_all(parts))


def transform_shape(geom: Geometry, convert: Callable[[Any, Any], tuple[Any, Any]]) -> Geometry:
    def _apply(coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        lon, lat = convert(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    result: Geometry = shapely.transform(geom, _apply)
    return result


def shape_to_wgs84(geom: Geometry, crs: CoordSystem) -> Geometry:
    return geom if crs is CoordSystem.wgs84 else transform_shape(geom, gcj02_to_wgs84_array)


def shape_from_wgs84(geom: Geometry, crs: CoordSystem) -> Geometry:
    return geom if crs is CoordSystem.wgs84 else transform_shape(geom, wgs84_to_gcj02_array)


def to_geojson_text(geom: Geometry) -> str:
    text: str = shapely.to_geojson(geom)
    return text


def from_geojson_text(text: str) -> Geometry:
    geom: Geometry = shapely.from_geojson(text)
    return geom


def from_geojson_dict(obj: dict[str, Any]) -> Geometry:
    return from_geojson_text(json.dumps(obj))


def bbox_of(geom: Geometry) -> BBox:
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in geom.bounds)
    return (min_lon, min_lat, max_lon, max_lat)


# --- grid layer ------------------------------------------------------------------------------


def grid_cells(
    boundary: Geometry, rows: int, cols: int, *, min_fraction: float = 0.01
) -> list[Geometry]:
    """Cut a polygon into at most rows x cols cells: the rectangles of its bounding box, each
    clipped to the polygon. Pieces smaller than `min_fraction` of a full cell are dropped
    (a point there still falls back to the community). Row-major from the north-west."""
    if rows < 1 or cols < 1:
        raise ValueError("rows and cols must be at least 1")
    boundary = polygonal(boundary)
    if boundary.is_empty:
        return []
    min_x, min_y, max_x, max_y = boundary.bounds
    width = (max_x - min_x) / cols
    height = (max_y - min_y) / rows
    full = width * height
    cells: list[Geometry] = []
    for r in range(rows):
        top = max_y - r * height
        for c in range(cols):
            left = min_x + c * width
            rect = shapely.box(left, top - height, left + width, top)
            piece = polygonal(shapely.intersection(boundary, rect))
            if piece.is_empty or (full > 0 and piece.area < min_fraction * full):
                continue
            cells.append(piece)
    return cells


def rectangle(lon: float, lat: float, width_m: float, height_m: float) -> Geometry:
    """A lon/lat rectangle of about width x height metres, south-west corner at (lon, lat)."""
    dlat = height_m / 111_320.0
    dlon = width_m / (111_320.0 * math.cos(math.radians(lat)))
    box: Geometry = shapely.box(lon, lat, lon + dlon, lat + dlat)
    return box
