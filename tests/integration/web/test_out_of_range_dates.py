"""A date near the ends of what Python's datetime holds (year 1 or 9999, where a zone shift or
the day after overflows) is refused with a message naming the field and the accepted range —
422 on the API, 400 in Open311's error format — instead of a 500."""

from __future__ import annotations

import pytest
from case_city import City, build_city
from fastapi.testclient import TestClient

from cityops.app import Platform

RANGE = "dates lie between 1900-01-01 and 2999-12-31"


@pytest.fixture
def city(platform: Platform, client: TestClient) -> City:
    return build_city(platform, client)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/cases?from=0001-01-01T00:00:00%2B14:00", "from"),
        ("/api/v1/cases?to=9999-12-31", "to"),
        ("/api/v1/cases?to=9999-12-31T23:59:59-14:00", "to"),
        ("/api/v1/cases/export?to=9999-12-31", "to"),
        ("/api/v1/indicators/cases?to=9999-12-31", "to"),
        ("/api/v1/indicators/cases?from=0001-01-01", "from"),
        ("/api/v1/portal/board?month=9999-12", "month"),
        ("/api/v1/portal/board?month=0001-01", "month"),
        ("/api/v1/portal/board?month=0000-01", "month"),
        ("/api/v1/indicators/three-rates?month=9999-12", "month"),
        ("/api/v1/indicators/three-rates?month=0001-01", "month"),
        ("/api/v1/indicators/three-rates?month=0000-01", "month"),
        ("/api/v1/indicators/three-rates?month=3000-01", "month"),
        ("/api/v1/cases?from=9999-12-31", "from"),
        ("/api/v1/cases?to=0001-01-01", "to"),
        ("/api/v1/cases/export?from=9999-12-31", "from"),
        ("/api/v1/cases/export?to=0001-01-01", "to"),
        ("/api/v1/indicators/cases?from=9999-12-31", "from"),
        ("/api/v1/indicators/cases?to=0001-01-01", "to"),
        ("/api/v1/indicators/cases?from=9999-12-31&to=9999-12-31", "to"),
    ],
)
def test_the_api_refuses_a_date_out_of_range(city: City, path: str, field: str) -> None:
    r = city.client.get(path, headers=city.auth("boss"))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "date_out_of_range"
    assert error["message"].startswith(f"{field} ")
    assert RANGE in error["message"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("end_date=9999-12-31T23:59:59-14:00", "end_date"),
        ("start_date=9999-12-31T23:59:59Z", "start_date"),
        ("end_date=0001-01-01T00:00:00Z", "end_date"),
    ],
)
@pytest.mark.parametrize("resource", ["requests", "servicerequestupdates"])
def test_open311_refuses_a_date_out_of_range(
    city: City, resource: str, query: str, field: str
) -> None:
    r = city.client.get(f"/open311/v2/{resource}.json?{query}")
    assert r.status_code == 400, r.text
    [error] = r.json()
    assert error["code"] == 400
    assert error["description"].startswith(f"{field} ")
    assert RANGE in error["description"]


def test_dates_inside_the_range_still_answer(city: City) -> None:
    for path in [
        "/api/v1/cases?from=1900-01-01&to=2999-12-31",
        "/api/v1/indicators/cases?from=2999-12-01&to=2999-12-31",
        "/api/v1/portal/board?month=1900-01",
        "/api/v1/portal/board?month=2999-12",
        "/api/v1/indicators/three-rates?month=1900-01",
        "/api/v1/indicators/three-rates?month=2999-12",
    ]:
        r = city.client.get(path, headers=city.auth("boss"))
        assert r.status_code == 200, (path, r.text)


@pytest.mark.parametrize("path", ["/api/v1/indicators/three-rates", "/api/v1/portal/board"])
@pytest.mark.parametrize("month", ["10000-01", "2026-13", "-001-01"])
def test_what_is_not_a_month_is_a_422_naming_it(city: City, path: str, month: str) -> None:
    r = city.client.get(path, params={"month": month}, headers=city.auth("boss"))
    assert r.status_code == 422, r.text
    assert "month" in r.json()["error"]["message"]
