"""Coordinate systems: WGS84 (GPS, what we store) and GCJ-02 (国测局坐标, what Chinese map apps
give). Pure functions. GCJ-02 applies only inside China; outside it both systems coincide.

The forward transform is the public GCJ-02 formula (Krasovsky 1940 ellipsoid). The inverse has no
closed form; it is solved by fixed-point iteration until the forward image of the estimate lies
within 1e-9 degrees of the input (far below the 1e-7 degrees the platform needs)."""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_A = 6378245.0  # Krasovsky semi-major axis
_EE = 0.00669342162296594323  # Krasovsky eccentricity squared
_TOLERANCE_DEG = 1e-9
_MAX_ITERATIONS = 30


class CoordSystem(StrEnum):
    wgs84 = "wgs84"  # GPS, EPSG:4326
    gcj02 = "gcj02"  # 火星坐标 of AMap, Tencent and other Chinese maps


def out_of_china(lon: float, lat: float) -> bool:
    """The rough rectangle inside which GCJ-02 differs from WGS84."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset(lon: Any, lat: Any, m: Any = np) -> tuple[Any, Any]:
    """GCJ-02 minus WGS84 in degrees at WGS84 (lon, lat). `m` is `math` for plain floats (fast)
    or `numpy` for arrays; the formula is written once for both."""
    x = lon - 105.0
    y = lat - 35.0
    pi = math.pi
    ripple = (20.0 * m.sin(6.0 * x * pi) + 20.0 * m.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * m.sqrt(m.fabs(x))
    dlat = dlat + ripple
    dlat = dlat + (20.0 * m.sin(y * pi) + 40.0 * m.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat = dlat + (160.0 * m.sin(y / 12.0 * pi) + 320.0 * m.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * m.sqrt(m.fabs(x))
    dlon = dlon + ripple
    dlon = dlon + (20.0 * m.sin(x * pi) + 40.0 * m.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon = dlon + (150.0 * m.sin(x / 12.0 * pi) + 300.0 * m.sin(x / 30.0 * pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * pi
    magic = 1.0 - _EE * m.sin(radlat) ** 2
    sqrtmagic = m.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * m.cos(radlat) * pi)
    return dlon, dlat


def _inside_china(lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.bool_]:
    result: npt.NDArray[np.bool_] = (
        (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)
    )
    return result


def wgs84_to_gcj02_array(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Vectorised WGS84 → GCJ-02; points outside China pass through unchanged."""
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    dlon, dlat = _offset(lon, lat, np)
    inside = _inside_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84_array(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Vectorised GCJ-02 → WGS84 by iteration; points outside China pass through unchanged."""
    glon = np.asarray(lon, dtype=np.float64)
    glat = np.asarray(lat, dtype=np.float64)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(_MAX_ITERATIONS):
        flon, flat = wgs84_to_gcj02_array(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon = wlon - elon
        wlat = wlat - elat
        if elon.size == 0 or max(float(np.max(np.abs(elon))), float(np.max(np.abs(elat)))) < (
            _TOLERANCE_DEG
        ):
            break
    inside = _inside_china(glon, glat)
    return np.where(inside, wlon, glon), np.where(inside, wlat, glat)


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _offset(lon, lat, math)
    return lon + float(dlon), lat + float(dlat)


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    if out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(_MAX_ITERATIONS):
        dlon, dlat = _offset(wlon, wlat, math)
        elon, elat = wlon + dlon - lon, wlat + dlat - lat
        wlon, wlat = wlon - elon, wlat - elat
        if abs(elon) < _TOLERANCE_DEG and abs(elat) < _TOLERANCE_DEG:
            break
    return float(wlon), float(wlat)


def to_wgs84(lon: float, lat: float, crs: CoordSystem) -> tuple[float, float]:
    return gcj02_to_wgs84(lon, lat) if crs is CoordSystem.gcj02 else (lon, lat)


def from_wgs84(lon: float, lat: float, crs: CoordSystem) -> tuple[float, float]:
    return wgs84_to_gcj02(lon, lat) if crs is CoordSystem.gcj02 else (lon, lat)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine on a 6,371 km sphere)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000.0 * math.asin(math.sqrt(h))
