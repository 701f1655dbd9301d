"""The city map's key sites (重点场所) through the HTTP API: imports of GeoJSON and CSV, all rows
or none with every wrong row named, GCJ-02 input stored in WGS84, replace per kind, removal by
kind, the reader's areas narrowing the list, and the open cases counted near a site."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.support.case_city import GRID, OTHER_GRID, PASSWORD, STREET, City, build_city

from cityops.app import Platform
from cityops.geo.public import gcj02_to_wgs84, wgs84_to_gcj02
from cityops.insight.public import KEY_SITES_MAX
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser
from cityops.web.app import create_app

IMPORT = "/api/v1/citymap/key-sites/import"
LIST = "/api/v1/citymap/key-sites"


@pytest.fixture
def city(platform: Platform) -> Iterator[City]:
    with TestClient(create_app(platform)) as client:
        built = build_city(platform, client)
        with platform.uow() as uow:
            for username, roles, areas in (
                ("admin", ["admin"], ()),
                ("boss_east", ["leader"], (STREET,)),
            ):
                platform.org.create_user(
                    uow,
                    SYSTEM,
                    NewUser(
                        username=username,
                        password=PASSWORD,
                        display_name=username,
                        roles=roles,
                        area_codes=areas,
                    ),
                )
        yield built


def _feature(lon: float, lat: float, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": props}  # fmt: skip


def _geojson(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _import(
    city: City, content: bytes, name: str = "sites.geojson", user: str = "admin", **params: Any
) -> Any:
    return city.client.post(
        IMPORT, params=params, files={"file": (name, content)}, headers=city.auth(user)
    )


def _sites(city: City, user: str = "boss", **params: Any) -> list[dict[str, Any]]:
    got = city.client.get(LIST, params=params, headers=city.auth(user))
    assert got.status_code == 200, got.text
    body = got.json()
    return [dict(zip(body["fields"], row, strict=True)) for row in body["rows"]]


def test_a_geojson_import_is_listed_and_located(city: City) -> None:
    east = city.point_in(GRID)
    west = city.point_in(OTHER_GRID)
    got = _import(
        city,
        _geojson(
            _feature(*east, kind="school", name="湖滨小学", address="湖滨路 1 号", grades=6),
            _feature(*west, kind="医院", name="文新医院"),
        ),
    )
    assert got.status_code == 200, got.text
    assert got.json()["imported"] == 2
    assert got.json()["kinds"] == ["school", "hospital"]
    sites = {s["name"]: s for s in _sites(city)}
    assert set(sites) == {"湖滨小学", "文新医院"}
    assert sites["文新医院"]["kind"] == "hospital"  # the Chinese word taken for its code
    assert (sites["湖滨小学"]["lon"], sites["湖滨小学"]["lat"]) == pytest.approx(east, abs=1e-6)
    detail = city.client.get(f"{LIST}/{sites['湖滨小学']['id']}", headers=city.auth("boss"))
    assert detail.status_code == 200
    body = detail.json()
    assert body["area_code"] == GRID
    assert body["address"] == "湖滨路 1 号"
    assert body["properties"] == {"grades": 6}
    # a kind filter and a bbox around the east point
    assert [s["name"] for s in _sites(city, kind="hospital")] == ["文新医院"]
    box = f"{east[0] - 1e-3},{east[1] - 1e-3},{east[0] + 1e-3},{east[1] + 1e-3}"
    assert [s["name"] for s in _sites(city, bbox=box)] == ["湖滨小学"]


def test_open_cases_near_a_site_are_counted_in_the_readers_scope(city: City) -> None:
    lon, lat = city.point_in(GRID)
    for i in range(3):
        city.create(area_code=GRID, lon=lon + i * 1e-4, lat=lat)  # within ~30 m
    far = city.point_in(OTHER_GRID)
    city.create(area_code=OTHER_GRID, lon=far[0], lat=far[1])
    assert _import(city, _geojson(_feature(lon, lat, kind="school", name="s"))).status_code == 200
    site = _sites(city)[0]
    detail = city.client.get(f"{LIST}/{site['id']}", headers=city.auth("boss")).json()
    assert detail["open_cases"] == 3
    assert detail["near_m"] == 500
    # the bbox the count was made over is the case list's filter: it lists the same cases
    listed = city.client.get(
        "/api/v1/cases",
        params={"bbox": detail["near_bbox"], "status": ["reported", "registered", "dispatched"]},
        headers=city.auth("boss"),
    )
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] == 3


def test_a_csv_in_gcj02_is_stored_in_wgs84(city: City) -> None:
    lon, lat = city.point_in(GRID)
    glon, glat = wgs84_to_gcj02(lon, lat)
    csv = f"kind,name,lon,lat,address,phone\nwaterlogging,湖滨积水点,{glon},{glat},湖滨路下穿,123\n"
    got = _import(city, csv.encode(), "sites.csv", crs="gcj02")
    assert got.status_code == 200, got.text
    [site] = _sites(city)
    assert (site["lon"], site["lat"]) == pytest.approx(gcj02_to_wgs84(glon, glat), abs=1e-6)
    assert (site["lon"], site["lat"]) == pytest.approx((lon, lat), abs=1e-5)
    assert site["address"] == "湖滨路下穿"


def test_every_wrong_row_is_named_and_nothing_is_written(city: City) -> None:
    lon, lat = city.point_in(GRID)
    csv = (
        "kind,name,lon,lat\n"
        f"school,好学校,{lon},{lat}\n"
        f"school,,{lon},{lat}\n"  # line 3: no name
        f"Bad Kind!,x,{lon},{lat}\n"  # line 4: kind
        "school,远方,10.0,10.0\n"  # line 5: outside every area
        f"school,y,abc,{lat}\n"  # line 6: lon
    )
    got = _import(city, csv.encode(), "sites.csv")
    assert got.status_code == 422, got.text
    error = got.json()["error"]
    assert error["code"] == "key_sites_rejected"
    found = [(e["row"], e["field"], e["code"]) for e in error["details"]["errors"]]
    assert found == [
        (3, "name", "missing"),
        (4, "kind", "invalid"),
        (5, "lon", "outside_city"),
        (6, "lon", "invalid"),
    ]
    assert error["details"]["error_count"] == 4
    assert _sites(city) == []  # the good row was not written either
    geo = _geojson(
        _feature(lon, lat, kind="school", name="ok"),
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": []}},
    )
    bad = _import(city, geo).json()["error"]["details"]["errors"]
    assert [(e["row"], e["field"]) for e in bad] == [(2, "geometry")]
    assert _import(city, b"{not json").json()["error"]["code"] == "key_sites_bad_file"
    header = _import(city, b"name,lon\nx,1\n", "s.csv").json()["error"]
    assert header["code"] == "key_sites_bad_file"
    assert "lat" in header["message"]


def test_an_import_holds_at_most_the_limit(city: City) -> None:
    lon, lat = city.point_in(GRID)
    many = _geojson(*[_feature(lon, lat, kind="school", name="s")] * (KEY_SITES_MAX + 1))
    got = _import(city, many)
    assert got.status_code == 422
    assert got.json()["error"]["code"] == "key_sites_too_many"
    assert _sites(city) == []


def test_replace_and_delete_work_per_kind(city: City) -> None:
    lon, lat = city.point_in(GRID)
    first = _geojson(
        _feature(lon, lat, kind="school", name="旧学校"),
        _feature(lon, lat, kind="hospital", name="医院"),
    )
    assert _import(city, first).status_code == 200
    # a second file of schools: kept beside the old ones, or replacing them with replace=true
    schools = _geojson(_feature(lon, lat, name="新学校"))
    assert _import(city, schools, kind="school").status_code == 200
    assert sorted(s["name"] for s in _sites(city, kind="school")) == ["新学校", "旧学校"]
    replaced = _import(city, schools, kind="school", replace="true")
    assert replaced.json()["replaced"] == 2
    assert sorted(s["name"] for s in _sites(city)) == ["医院", "新学校"]
    gone = city.client.delete(LIST, params={"kind": "school"}, headers=city.auth("admin"))
    assert gone.status_code == 200
    assert gone.json() == {"kind": "school", "deleted": 1}
    assert [s["name"] for s in _sites(city)] == ["医院"]


def test_who_may_do_what(city: City) -> None:
    east = city.point_in(GRID)
    west = city.point_in(OTHER_GRID)
    doc = _geojson(
        _feature(*east, kind="school", name="east"), _feature(*west, kind="school", name="west")
    )
    for user in ("boss", "disp", "op"):
        assert _import(city, doc, user=user).status_code == 403
        refused = city.client.delete(LIST, params={"kind": "school"}, headers=city.auth(user))
        assert refused.status_code == 403
    assert _import(city, doc).status_code == 200
    for user, status in (("boss", 200), ("op", 200), ("lead", 200), ("h_cgj", 403)):
        got = city.client.get(LIST, headers=city.auth(user))
        assert got.status_code == status, (user, got.text)
    assert city.client.get(LIST).status_code == 401
    # a reader bound to a street sees the sites of that street only; another site is a 404
    east_only = _sites(city, "boss_east")
    assert [s["name"] for s in east_only] == ["east"]
    west_id = next(s["id"] for s in _sites(city) if s["name"] == "west")
    hidden = city.client.get(f"{LIST}/{west_id}", headers=city.auth("boss_east"))
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "key_site_not_found"
    legend = city.client.get(LIST, headers=city.auth("boss_east")).json()["kinds"]
    assert legend == [{"kind": "school", "count": 1}]
