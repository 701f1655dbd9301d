"""A NUL character in a path or query parameter is a 422 naming the problem, not the 500 that
PostgreSQL's refusal of NUL in compared text used to be; other control characters only fail to
match."""

from __future__ import annotations

from typing import Any

import pytest
from case_city import City, build_city
from fastapi.testclient import TestClient

from cityops.app import Platform


@pytest.fixture
def city(platform: Platform, client: TestClient) -> City:
    return build_city(platform, client)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/cases", {"category": "E9\x0001"}),
        ("/api/v1/cases", {"q": "路灯\x00"}),
        ("/api/v1/cases/export", {"area": "3301\x00"}),
        ("/api/v1/portal/track/AB%00CD", {}),
        ("/api/v1/knowledge/KB%0001", {}),
        ("/api/v1/categories/E9%0001", {}),
    ],
)
def test_nul_in_the_address_is_a_422(city: City, path: str, params: dict[str, Any]) -> None:
    r = city.client.get(path, params=params, headers=city.auth("op"))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "nul_character"


def test_other_control_characters_only_fail_to_match(city: City) -> None:
    city.create()
    r = city.client.get("/api/v1/cases", params={"q": "路灯\x01"}, headers=city.auth("op"))
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 0
    r = city.client.get("/api/v1/portal/track/AB%01CD")
    assert r.status_code == 404, r.text
