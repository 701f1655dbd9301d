"""The parameters of `GET /ngsi-ld/v1/entities`, read and checked (no I/O, no framework).

Served: `type` and `id` (comma lists), `q` (see qlang), `attrs`, `georel` `near;maxDistance==N`
(or `minDistance==N`) with `geometry=Point`, and `within` with `geometry=Polygon`, both on
`geoproperty=location` with `coordinates` in WGS84 [lon, lat]; `limit` (default 20, at most
1000; 0 only with `count=true`), `offset`, `count=true`, `options=keyValues` (or `normalized`).
Any other parameter, and any malformed value, is refused as BadRequestData.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

from cityops.sensing.ngsi_ld.problems import bad_request
from cityops.sensing.ngsi_ld.qlang import Query, parse_q

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
EARTH_RADIUS_M = 6_371_008.8
ENTITY_PARAMS = frozenset(
    {"type", "id", "q", "attrs", "georel", "geometry", "coordinates", "geoproperty"}
    | {"limit", "offset", "count", "options"}
)


@dataclass(frozen=True)
class GeoQuery:
    georel: str  # near, within
    point: tuple[float, float] | None = None  # near: [lon, lat]
    max_distance: float | None = None
    min_distance: float | None = None
    polygon: tuple[tuple[float, float], ...] = ()  # within: the outer ring

    def matches(self, lon: float, lat: float) -> bool:
        if self.point is not None:
            metres = distance_m(self.point, (lon, lat))
            if self.max_distance is not None and metres > self.max_distance:
                return False
            return self.min_distance is None or metres >= self.min_distance
        return point_in_ring(lon, lat, self.polygon)

    def bounding_box(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) that holds every match, for the store to narrow by."""
        if self.point is not None:
            if self.max_distance is None:
                return None
            lon, lat = self.point
            dlat = math.degrees(self.max_distance / EARTH_RADIUS_M)
            cos_lat = max(math.cos(math.radians(min(abs(lat) + dlat, 90.0))), 1e-9)
            dlon = min(dlat / cos_lat, 360.0)
            return lon - dlon, lat - dlat, lon + dlon, lat + dlat
        lons = [p[0] for p in self.polygon]
        lats = [p[1] for p in self.polygon]
        return min(lons), min(lats), max(lons), max(lats)


@dataclass(frozen=True)
class EntityQuery:
    types: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    q: Query | None = None
    attrs: frozenset[str] | None = None
    geo: GeoQuery | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    count: bool = False
    key_values: bool = False


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two [lon, lat] points (haversine)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def point_in_ring(lon: float, lat: float, ring: tuple[tuple[float, float], ...]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _list(raw: str | None) -> frozenset[str]:
    return frozenset(item.strip() for item in (raw or "").split(",") if item.strip())


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise bad_request(f"{name} must be a whole number from {low} to {high}, not {raw!r}")
    return int(raw)


def options_of(params: Mapping[str, str], allowed: frozenset[str]) -> frozenset[str]:
    options = _list(params.get("options"))
    if unknown := options - allowed:
        raise bad_request(
            f"options {', '.join(sorted(unknown))} not supported; served: "
            + ", ".join(sorted(allowed))
        )
    return options


def parse_entity_query(params: Mapping[str, str], *, require_filter: bool = True) -> EntityQuery:
    if unknown := set(params) - ENTITY_PARAMS:
        raise bad_request(f"parameter {', '.join(sorted(unknown))} is not supported here")
    count = params.get("count", "false")
    if count not in ("true", "false"):
        raise bad_request(f"count is true or false, not {count!r}")
    limit = _int(params, "limit", DEFAULT_LIMIT, 0, MAX_LIMIT)
    if limit == 0 and count != "true":
        raise bad_request("limit=0 is allowed only with count=true")
    options = options_of(params, frozenset({"keyValues", "normalized"}))
    query = EntityQuery(
        types=_list(params.get("type")),
        ids=_list(params.get("id")),
        q=parse_q(params["q"]) if "q" in params else None,
        attrs=_list(params["attrs"]) if "attrs" in params else None,
        geo=parse_geo(params),
        limit=limit,
        offset=_int(params, "offset", 0, 0, 1_000_000),
        count=count == "true",
        key_values="keyValues" in options,
    )
    if require_filter and not (query.types or query.ids or query.q or query.attrs or query.geo):
        raise bad_request("give at least one of type, id, q, attrs or georel")
    return query


def parse_geo(params: Mapping[str, str]) -> GeoQuery | None:
    georel = params.get("georel")
    if georel is None:
        if "geometry" in params or "coordinates" in params:
            raise bad_request("geometry and coordinates go with georel")
        return None
    if params.get("geoproperty", "location") != "location":
        raise bad_request("geoproperty: only location is served")
    geometry = params.get("geometry")
    raw = params.get("coordinates")
    if not geometry or not raw:
        raise bad_request("georel needs geometry and coordinates")
    try:
        coordinates = json.loads(raw)
    except ValueError as exc:
        raise bad_request(f"coordinates are not a JSON array: {raw[:80]!r}") from exc
    relation, _, modifiers = georel.partition(";")
    if relation == "near":
        if geometry != "Point":
            raise bad_request("georel=near goes with geometry=Point")
        far, close = _distances(modifiers)
        return GeoQuery("near", point=_position(coordinates), max_distance=far, min_distance=close)
    if relation == "within":
        if geometry != "Polygon" or modifiers:
            raise bad_request("georel=within goes with geometry=Polygon and no modifier")
        return GeoQuery("within", polygon=_ring(coordinates))
    raise bad_request(f"georel {relation!r} is not served; served: near, within")


def _distances(modifiers: str) -> tuple[float | None, float | None]:
    """(maxDistance, minDistance) in metres."""
    found: dict[str, float] = {}
    for part in modifiers.split(";"):
        name, sep, value = part.partition("==")
        if name not in ("maxDistance", "minDistance") or not sep:
            raise bad_request(f"near takes maxDistance==N or minDistance==N, not {part!r}")
        try:
            metres = float(value)
        except ValueError as exc:
            raise bad_request(f"{name} is a distance in metres, not {value!r}") from exc
        if not 0 <= metres <= 2 * EARTH_RADIUS_M * math.pi or math.isnan(metres):
            raise bad_request(f"{name} is out of range: {value}")
        found[name] = metres
    return found.get("maxDistance"), found.get("minDistance")


def _position(value: object) -> tuple[float, float]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise bad_request("coordinates of a Point are [longitude, latitude]")
    lon, lat = float(value[0]), float(value[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise bad_request(f"coordinates [{lon}, {lat}] are outside WGS84 [lon, lat]")
    return lon, lat


def _ring(value: object) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], list):
        raise bad_request("coordinates of a Polygon are [[[lon, lat], …]] (one outer ring)")
    ring = tuple(_position(p) for p in value[0])
    if len(ring) < 4 or ring[0] != ring[-1]:
        raise bad_request("a Polygon ring has at least 4 positions, the last equal to the first")
    return ring
