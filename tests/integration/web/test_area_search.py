"""The address search (GET /api/v1/areas/search): the city's own streets, communities and grids
found by a whole address or part of a name or code, each with a point inside it and its chain
(no outside geocoder is reachable)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM


@pytest.fixture
def city(platform: Platform, client: TestClient) -> TestClient:
    with platform.uow() as uow:
        platform.geo.generate_demo_city(uow, SYSTEM)
    return client


def _areas(client: TestClient, level: str) -> list[dict[str, Any]]:
    r = client.get("/api/v1/areas", params={"level": level})
    assert r.status_code == 200, r.text
    return [f["properties"] for f in r.json()["features"]]


def _search(client: TestClient, q: str, **params: Any) -> list[dict[str, Any]]:
    r = client.get("/api/v1/areas/search", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_street_name_finds_the_street_first_with_a_point_inside_it(city: TestClient) -> None:
    street = _areas(city, "street")[0]
    hits = _search(city, street["name"])
    assert hits[0]["code"] == street["code"]
    assert hits[0]["level"] == "street"
    located = city.get(
        "/api/v1/areas/locate", params={"lon": hits[0]["lon"], "lat": hits[0]["lat"]}
    )
    assert street["code"] in [a["code"] for a in located.json()["chain"]]
    assert [a["code"] for a in hits[0]["chain"]][-1] == street["code"]


def test_an_address_naming_a_community_finds_that_community(city: TestClient) -> None:
    community = _areas(city, "community")[0]
    hits = _search(city, f"{community['name']}12幢3单元")
    assert hits[0]["code"] == community["code"]


def test_part_of_a_name_and_a_code_find_areas(city: TestClient) -> None:
    grid = _areas(city, "grid")[0]
    by_code = _search(city, grid["code"])
    assert grid["code"] in [h["code"] for h in by_code]
    part = grid["name"][:2]
    assert all(part in h["name"] for h in _search(city, part, limit=20)[1:])


def test_nothing_found_is_an_empty_list_and_a_limit_holds(city: TestClient) -> None:
    assert _search(city, "火星基地") == []
    assert len(_search(city, "3301", limit=3)) == 3


def test_a_blank_query_finds_nothing_and_a_long_one_is_refused(city: TestClient) -> None:
    assert _search(city, "  ") == []
    assert city.get("/api/v1/areas/search", params={"q": "x" * 101}).status_code == 422
