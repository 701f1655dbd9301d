"""WGS84 ⇄ GCJ-02: reference values, round trips, the China boundary, vector = scalar."""

from __future__ import annotations

import numpy as np
import pytest

from cityops.geo.coords import (
    CoordSystem,
    distance_m,
    from_wgs84,
    gcj02_to_wgs84,
    gcj02_to_wgs84_array,
    out_of_china,
    to_wgs84,
    wgs84_to_gcj02,
    wgs84_to_gcj02_array,
)

# Points across China: Hangzhou 下城区, Beijing, Urumqi, Harbin, Sanya, Lhasa.
CHINA = [
    (120.1720, 30.2970),
    (116.3913, 39.9075),
    (87.6168, 43.8256),
    (126.6424, 45.7567),
    (109.5119, 18.2528),
    (91.1322, 29.6604),
]


def test_forward_matches_published_reference_value() -> None:
    # reference pair from the gcoord library's test suite (WGS84 [123, 45] → GCJ-02)
    lon, lat = wgs84_to_gcj02(123.0, 45.0)
    assert lon == pytest.approx(123.00607541, abs=1e-8)
    assert lat == pytest.approx(45.00197815, abs=1e-8)


def test_inverse_matches_published_reference_value() -> None:
    # gcoord: GCJ-02 [123, 45] → WGS84 [122.99395597, 44.99804071] (to 5 decimals there)
    lon, lat = gcj02_to_wgs84(123.0, 45.0)
    assert lon == pytest.approx(122.99395597, abs=5e-6)
    assert lat == pytest.approx(44.99804071, abs=5e-6)


@pytest.mark.parametrize(("lon", "lat"), CHINA)
def test_round_trip_wgs84_gcj02_wgs84_is_within_1e7_degrees(lon: float, lat: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert abs(back[0] - lon) < 1e-7
    assert abs(back[1] - lat) < 1e-7


@pytest.mark.parametrize(("lon", "lat"), CHINA)
def test_round_trip_gcj02_wgs84_gcj02_is_within_1e7_degrees(lon: float, lat: float) -> None:
    back = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    assert abs(back[0] - lon) < 1e-7
    assert abs(back[1] - lat) < 1e-7


def test_offset_in_hangzhou_is_hundreds_of_metres_north_east_and_south() -> None:
    lon, lat = 120.1720, 30.2970
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert 300 < distance_m(lon, lat, glon, glat) < 800
    assert glon > lon  # in Hangzhou GCJ-02 lies east …
    assert glat < lat  # … and a little south of WGS84


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(-122.4194, 37.7749), (2.3522, 48.8566), (139.6917, 35.6895), (151.2093, -33.8688)],
)
def test_outside_china_both_systems_coincide(lon: float, lat: float) -> None:
    assert out_of_china(lon, lat)
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_array_versions_agree_with_the_scalar_ones() -> None:
    points = [*CHINA, (2.3522, 48.8566)]
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    glon, glat = wgs84_to_gcj02_array(lon, lat)
    wlon, wlat = gcj02_to_wgs84_array(lon, lat)
    for i, (x, y) in enumerate(points):
        assert (glon[i], glat[i]) == pytest.approx(wgs84_to_gcj02(x, y), abs=1e-12)
        assert (wlon[i], wlat[i]) == pytest.approx(gcj02_to_wgs84(x, y), abs=1e-10)


@pytest.mark.parametrize("crs", list(CoordSystem))
def test_to_and_from_wgs84_are_inverse_for_every_system(crs: CoordSystem) -> None:
    lon, lat = 120.1720, 30.2970
    assert to_wgs84(*from_wgs84(lon, lat, crs), crs) == pytest.approx((lon, lat), abs=1e-7)
