"""The city map's endpoints (一图观全域) over cases stored through the case engine and devices
registered through sensing: cells add up to the cases behind them, filters, bbox and the
reader's scope are applied on the server, area polygons come with an ETag."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.support.case_city import GRID, LAMP, LITTER, OTHER_GRID, STREET, City, build_city

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser
from cityops.sensing.public import NewDevice
from cityops.web.app import create_app


@pytest.fixture
def city(platform: Platform) -> Iterator[City]:
    with TestClient(create_app(platform)) as client:
        built = build_city(platform, client)
        with platform.uow() as uow:
            platform.org.create_user(
                uow,
                SYSTEM,
                NewUser(
                    username="boss_east",
                    password="correct horse battery",
                    display_name="boss_east",
                    roles=["leader"],
                    area_codes=(STREET,),
                ),
            )
        yield built


def _seed(city: City) -> dict[str, list[int]]:
    east_lon, east_lat = city.point_in(GRID)
    west_lon, west_lat = city.point_in(OTHER_GRID)
    made: dict[str, list[int]] = {"east_lamp": [], "east_litter": [], "west": []}
    for i in range(3):
        c = city.create(area_code=GRID, lon=east_lon, lat=east_lat + i * 1e-6)
        made["east_lamp"].append(c["id"])
    for _ in range(2):
        c = city.create(area_code=GRID, category_code=LITTER, lon=east_lon, lat=east_lat)
        made["east_litter"].append(c["id"])
    for _ in range(4):
        c = city.create(area_code=OTHER_GRID, lon=west_lon, lat=west_lat)
        made["west"].append(c["id"])
    return made


def _get(city: City, user: str, path: str, **params: Any) -> Any:
    got = city.client.get(f"/api/v1/citymap/{path}", params=params, headers=city.auth(user))
    assert got.status_code == 200, got.text
    return got.json()


def _rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(zip(answer["fields"], row, strict=True)) for row in answer["rows"]]


def test_cells_add_up_to_the_points_behind_them(city: City) -> None:
    made = _seed(city)
    points = _get(city, "boss", "cases", zoom=14)
    assert points["mode"] == "points"
    assert points["total"] == 9
    assert {p["id"] for p in _rows(points)} == {i for ids in made.values() for i in ids}
    cells = _get(city, "boss", "cases", zoom=14, max_points=0)
    assert cells["mode"] == "cells"
    rows = _rows(cells)
    assert sum(r["count"] for r in rows) == cells["total"] == 9
    assert sum(r["open"] for r in rows) == sum(p["status"] != "closed" for p in _rows(points))
    for r in rows:
        assert r["red"] + r["yellow"] + r["green"] <= r["count"]
    # the two places lie in two cells at a street zoom, and in one at zoom 0
    assert sorted(r["count"] for r in rows) == [4, 5]
    world = _rows(_get(city, "boss", "cases", zoom=0, max_points=0))
    assert [r["count"] for r in world] == [9]


def test_filters_and_bbox_are_applied_on_the_server(city: City) -> None:
    made = _seed(city)
    litter = _rows(_get(city, "boss", "cases", category=LITTER))
    assert {p["id"] for p in litter} == set(made["east_litter"])
    lamp_cells = _get(city, "boss", "cases", category=LAMP, max_points=0, zoom=14)
    assert lamp_cells["total"] == 7
    east_lon, east_lat = city.point_in(GRID)
    box = f"{east_lon - 1e-4},{east_lat - 1e-4},{east_lon + 1e-4},{east_lat + 1e-4}"
    inside = _rows(_get(city, "boss", "cases", bbox=box))
    assert {p["id"] for p in inside} == set(made["east_lamp"] + made["east_litter"])
    future = _get(city, "boss", "cases", **{"from": "2099-01-01"})
    assert future["total"] == 0
    assert _get(city, "boss", "cases", status="closed")["total"] == 0
    bad = city.client.get(
        "/api/v1/citymap/cases", params={"bbox": "1,2,3"}, headers=city.auth("boss")
    )
    assert bad.status_code == 422


def test_the_readers_scope_narrows_every_answer(city: City) -> None:
    made = _seed(city)
    east = _rows(_get(city, "boss_east", "cases"))
    assert {p["id"] for p in east} == set(made["east_lamp"] + made["east_litter"])
    cells = _get(city, "boss_east", "cases", max_points=0)
    assert cells["total"] == 5
    counts = _rows(_get(city, "boss_east", "area-counts", level="street"))
    assert [(r["code"], r["total"]) for r in counts] == [(STREET, 5)]
    for user, status in (("op", 200), ("disp", 200), ("lead", 200), ("h_cgj", 403)):
        got = city.client.get("/api/v1/citymap/cases", headers=city.auth(user))
        assert got.status_code == status, (user, got.text)
    assert city.client.get("/api/v1/citymap/cases").status_code == 401


def test_area_counts_equal_the_cases_per_area(city: City) -> None:
    _seed(city)
    rows = {r["code"]: r for r in _rows(_get(city, "boss", "area-counts", level="grid"))}
    assert rows[GRID]["total"] == 5
    assert rows[OTHER_GRID]["total"] == 4
    assert rows[GRID]["open"] == 5
    litter = _rows(_get(city, "boss", "area-counts", level="grid", category=LITTER))
    assert [(r["code"], r["total"]) for r in litter] == [(GRID, 2)]


def test_area_polygons_come_simplified_with_an_etag(city: City) -> None:
    got = city.client.get("/api/v1/citymap/areas?level=street", headers=city.auth("boss"))
    assert got.status_code == 200
    doc = got.json()
    codes = {f["properties"]["code"] for f in doc["features"]}
    assert STREET in codes
    assert all(f["properties"]["level"] == "street" for f in doc["features"])
    etag = got.headers["etag"]
    again = city.client.get(
        "/api/v1/citymap/areas?level=street",
        headers={**city.auth("boss"), "If-None-Match": etag},
    )
    assert again.status_code == 304
    grids = _get(city, "boss", "areas", level="grid")
    assert GRID in {f["properties"]["code"] for f in grids["features"]}


def test_devices_come_with_their_state_as_points_or_cells(city: City) -> None:
    p = city.platform
    east_lon, east_lat = city.point_in(GRID)
    west_lon, west_lat = city.point_in(OTHER_GRID)
    with p.uow() as uow:
        p.sensing.seed_types(uow.session)
    with p.uow() as uow:
        for code, lon, lat in (
            ("AQ-E1", east_lon, east_lat),
            ("AQ-E2", east_lon, east_lat),
            ("AQ-W1", west_lon, west_lat),
        ):
            p.sensing.register_device(uow.session, SYSTEM, NewDevice(code, "air_quality", lon, lat))
    points = _rows(_get(city, "boss", "devices"))
    assert {d["code"] for d in points} == {"AQ-E1", "AQ-E2", "AQ-W1"}
    assert {d["state"] for d in points} == {"offline"}  # nothing received yet
    cells = _get(city, "boss", "devices", max_points=0, zoom=14)
    assert sorted(r["count"] for r in _rows(cells)) == [1, 2]
    assert sum(r["offline"] for r in _rows(cells)) == 3
    east = _rows(_get(city, "boss_east", "devices"))
    assert {d["code"] for d in east} == {"AQ-E1", "AQ-E2"}
    assert _get(city, "boss", "devices", state="online")["total"] == 0


def test_category_counts_rank_the_categories(city: City) -> None:
    _seed(city)
    rows = _rows(_get(city, "boss", "category-counts", top=5))
    assert [(r["code"], r["total"], r["open"]) for r in rows] == [(LAMP, 7, 7), (LITTER, 2, 2)]
    east = _rows(_get(city, "boss_east", "category-counts"))
    assert [(r["code"], r["total"]) for r in east] == [(LAMP, 3), (LITTER, 2)]
