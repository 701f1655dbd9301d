"""The city for duplicate tests: the shared case-test city (tests/support/case_city.py) plus a
point well inside its grid, so that cases placed a few hundred metres north stay in the street."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import shapely.geometry
from case_city import GRID, LAMP, LITTER, build_city
from case_city import City as CaseCity
from fastapi.testclient import TestClient

from cityops.app import Platform

__all__ = ["LITTER", "City"]

METRE_LAT = 1 / 111_195  # degrees of latitude per metre


@dataclass
class City(CaseCity):
    lon: float = 0.0
    lat: float = 0.0  # a point inside GRID; cases are placed north of it

    def create(  # type: ignore[override]
        self, title: str, description: str, *, north_m: float = 0, **fields: Any
    ) -> dict[str, Any]:
        return super().create(
            title=title,
            description=description,
            category_code=fields.pop("category_code", LAMP),
            lon=self.lon,
            lat=self.lat + north_m * METRE_LAT,
            area_code=None,
            **fields,
        )

    def similar(
        self, case_id: int, user: str = "disp", expect: int = 200, **params: Any
    ) -> list[dict[str, Any]]:
        r = self.client.get(
            f"/api/v1/cases/{case_id}/similar", params=params, headers=self.auth(user)
        )
        assert r.status_code == expect, r.text
        data: list[dict[str, Any]] = r.json() if expect == 200 else []
        return data


@pytest.fixture
def city(platform: Platform, client: TestClient) -> City:
    base = build_city(platform, client)
    with platform.read() as s:
        feature = platform.geo.get_feature(s, GRID)
    p = shapely.geometry.shape(feature.geometry).representative_point()
    return City(platform=base.platform, client=base.client, lon=p.x, lat=p.y)
