"""Cases and the grid layer: when a community's generated grids give way to the city's real
ones, cases filed in a generated grid keep their place, new cases land in the real grids, and a
retired grid is no longer accepted as a place."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cityops.geo.public import AreaLevel, ImportAreas, features_from_geojson
from cityops.kernel.actor import SYSTEM

from .conftest import GRID, LITTER, City

COMMUNITY = GRID[:12]  # 湖滨东园社区 of the demo city, cut into generated grids


def _import_one_real_grid(city: City) -> tuple[str, ...]:
    """The whole community as one real grid (source code HB-1-1); returns the retired codes."""
    with city.platform.read() as s:
        community = city.platform.geo.get_feature(s, COMMUNITY)
    doc: dict[str, Any] = {
        "type": "Feature",
        "properties": {"name": "东园社区网格", "code": "HB-1-1"},
        "geometry": dict(community.geometry),
    }
    cmd = ImportAreas(features_from_geojson(doc), AreaLevel.grid, code_prop="code")
    with city.platform.uow() as uow:
        return city.platform.geo.import_areas(uow, SYSTEM, cmd).retired


def _responsible(city: City, session: Session, **place: Any) -> str | None:
    dept = city.platform.cases.responsible_department(session, LITTER, **place)
    return dept.code if dept else None


def test_cases_filed_in_a_generated_grid_keep_their_place(city: City) -> None:
    lon, lat = city.point_in(GRID)
    by_code = city.create(category_code=LITTER, area_code=GRID)
    by_point = city.create(category_code=LITTER, lon=lon, lat=lat)
    assert by_point["area"]["grid"]["code"] == GRID

    retired = _import_one_real_grid(city)

    assert GRID in retired
    for case in (by_code, by_point):
        got = city.get("disp", case["id"])
        assert got["area_code"] == GRID
        assert got["area"] == case["area"]
    with city.platform.read() as s:  # routing still finds the unit of a stored grid code
        assert _responsible(city, s, area_code=GRID) == "ST_HUBIN"
    listed = city.client.get(
        "/api/v1/cases", params={"area": GRID}, headers=city.auth("disp")
    ).json()
    assert {c["id"] for c in listed["items"]} == {by_code["id"], by_point["id"]}


def test_new_cases_land_in_the_real_grid(city: City) -> None:
    _import_one_real_grid(city)
    lon, lat = city.point_in(GRID)
    case = city.create(category_code=LITTER, lon=lon, lat=lat, area_code=None)
    grid = case["area"]["grid"]
    assert grid["code"] != GRID
    assert grid["code"].startswith(COMMUNITY)
    with city.platform.read() as s:
        assert city.platform.geo.get_area(s, grid["code"]).alias == "HB-1-1"


def test_a_retired_grid_is_refused_as_a_new_place(city: City) -> None:
    _import_one_real_grid(city)
    before = city.snapshot()
    r = city.client.post(
        "/api/v1/cases",
        json={
            "source": "hotline",
            "title": "暴露垃圾",
            "description": "路边垃圾",
            "category_code": LITTER,
            "area_code": GRID,
        },
        headers=city.auth("op"),
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "retired_area"
    assert GRID in error["message"]
    assert city.snapshot() == before
