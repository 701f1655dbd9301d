"""Point → area lookup over HTTP and through the service, on the real Hangzhou areas."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.geo.public import AreaLevel, CoordSystem, wgs84_to_gcj02
from cityops.kernel.errors import ValidationFailed

from .conftest import source_shapes


@pytest.fixture
def api(hangzhou: Platform, client: TestClient) -> TestClient:
    return client


def _inside(shared_data: Path, file: str, prop: str, code: str) -> tuple[float, float]:
    point = source_shapes(shared_data, file, prop)[code].representative_point()
    return point.x, point.y


def test_a_point_in_a_grid_gets_the_four_level_chain_without_login(
    api: TestClient, shared_data: Path
) -> None:
    lon, lat = _inside(shared_data, "xiacheng_grids.geojson", "网格编号", "SQ-3-2")
    res = api.get("/api/v1/areas/locate", params={"lon": lon, "lat": lat})
    assert res.status_code == 200, res.text
    body = res.json()
    assert [(a["level"], a["code"]) for a in body["chain"]] == [
        ("district", "330103"),
        ("street", "330103001"),
        ("community", "330103001003"),
        ("grid", "330103001003002"),
    ]
    assert body["smallest"] == {
        "code": "330103001003002",
        "name": "华丰社区第二网格",
        "level": "grid",
        "level_name": "网格",
        "alias": "SQ-3-2",
    }
    assert (body["lon"], body["lat"]) == pytest.approx((lon, lat))


def test_gcj02_input_is_converted_to_wgs84_first(api: TestClient, shared_data: Path) -> None:
    lon, lat = _inside(shared_data, "xiacheng_grids.geojson", "网格编号", "CM-4-2")
    glon, glat = wgs84_to_gcj02(lon, lat)
    as_gcj = api.get("/api/v1/areas/locate", params={"lon": glon, "lat": glat, "crs": "gcj02"})
    assert as_gcj.status_code == 200, as_gcj.text
    assert as_gcj.json()["smallest"]["alias"] == "CM-4-2"
    assert (as_gcj.json()["lon"], as_gcj.json()["lat"]) == pytest.approx((lon, lat), abs=1e-7)
    # the same numbers read as WGS84 lie ~500 m away, in another grid or outside
    as_wgs = api.get("/api/v1/areas/locate", params={"lon": glon, "lat": glat})
    assert as_wgs.status_code != 200 or as_wgs.json()["smallest"]["alias"] != "CM-4-2"


def test_a_point_in_the_district_but_in_no_street_falls_back_to_the_district(
    hangzhou: Platform, shared_data: Path
) -> None:
    district = source_shapes(shared_data, "xiacheng_district_boundary.geojson", "name")["下城区"]
    streets = shapely.union_all(
        list(source_shapes(shared_data, "xiacheng_streets_8.geojson", "街道编码").values())
    )
    gap = district.difference(streets.buffer(1e-5))
    point = gap.representative_point()
    with hangzhou.read() as s:
        chain = hangzhou.geo.locate(s, point.x, point.y)
    assert [a.code for a in chain.areas] == ["330103"]
    assert chain.at(AreaLevel.grid) is None


def test_a_point_far_away_is_422_naming_the_point(api: TestClient) -> None:
    res = api.get("/api/v1/areas/locate", params={"lon": 116.3913, "lat": 39.9075})
    assert res.status_code == 422
    error = res.json()["error"]
    assert error["code"] == "outside_city"
    assert "116.391300" in error["message"]
    assert "39.907500" in error["message"]


@pytest.mark.parametrize(
    "params",
    [
        {"lon": 500, "lat": 30},
        {"lon": 120, "lat": -91},
        {"lon": "east", "lat": 30},
        {"lat": 30},
        {"lon": 120, "lat": 30, "crs": "bd09"},
    ],
)
def test_bad_coordinates_are_422(api: TestClient, params: dict[str, object]) -> None:
    res = api.get("/api/v1/areas/locate", params=params)
    assert res.status_code == 422
    assert res.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize(("lon", "lat"), [(float("nan"), 30.0), (120.0, float("inf"))])
def test_the_service_refuses_non_numbers(hangzhou: Platform, lon: float, lat: float) -> None:
    with hangzhou.read() as s, pytest.raises(ValidationFailed) as err:
        hangzhou.geo.locate(s, lon, lat, CoordSystem.wgs84)
    assert err.value.code == "invalid_point"


def test_areas_are_listed_as_geojson_without_login(api: TestClient) -> None:
    res = api.get("/api/v1/areas", params={"level": "street"})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 8
    first = body["features"][0]
    assert first["type"] == "Feature"
    assert first["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert first["properties"] == {
        "code": "330103001",
        "name": "石桥街道",
        "level": "street",
        "level_name": "街道",
        "alias": "SQ",
        "parent_code": "330103",
        "generated": False,
        "retired": False,
    }


def test_children_of_a_parent_are_listed(api: TestClient) -> None:
    res = api.get("/api/v1/areas", params={"parent": "330103001", "level": "community"})
    assert res.status_code == 200
    aliases = [f["properties"]["alias"] for f in res.json()["features"]]
    assert aliases == [f"SQ-{n}" for n in range(1, 10)]


def test_one_area_by_alias_and_in_gcj02(api: TestClient) -> None:
    wgs = api.get("/api/v1/areas/SQ-3-2").json()
    gcj = api.get("/api/v1/areas/330103001003002", params={"crs": "gcj02"}).json()
    assert wgs["id"] == gcj["id"] == "330103001003002"
    assert wgs["properties"]["parent_code"] == "330103001003"
    assert 0.003 < gcj["bbox"][0] - wgs["bbox"][0] < 0.006  # the bbox follows the geometry
    shift = shapely.geometry.shape(gcj["geometry"]).centroid.x - (
        shapely.geometry.shape(wgs["geometry"]).centroid.x
    )
    assert 0.003 < shift < 0.006  # GCJ-02 lies ~450 m east in Hangzhou


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/areas/XX-1", 404, "unknown_area"),
        ("/api/v1/areas?parent=XX", 404, "unknown_area"),
        ("/api/v1/areas?level=province", 422, "invalid_request"),
    ],
)
def test_unknown_areas_and_levels(api: TestClient, path: str, status: int, code: str) -> None:
    res = api.get(path)
    assert res.status_code == status
    assert res.json()["error"]["code"] == code
