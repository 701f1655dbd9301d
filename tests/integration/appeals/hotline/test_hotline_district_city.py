"""直接办结 without a place where the imported areas start at a district (the real Hangzhou data
brings 下城区 330103 and what lies below it, no city 330100): the consultation is filed at the
top-level area that exists; with several top-level areas the operator is told to give one."""

from __future__ import annotations

from typing import Any

import pytest
import shapely
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cityops.app import Platform
from cityops.cases.store import cases
from cityops.geo.public import AreaLevel, ImportAreas, features_from_geojson
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser

from .conftest import PASSWORD, _consultation

DISTRICT = shapely.box(120.15, 30.26, 120.19, 30.30)
STREET = shapely.box(120.15, 30.26, 120.17, 30.30)
OTHER_DISTRICT = shapely.box(120.20, 30.26, 120.24, 30.30)
CONSULTATION = {
    "phone": "13700002222",
    "appeal_type": "consultation",
    "text": "请问公积金怎么提取",
    "mode": "answer",
    "article_code": "KB001",
}


def _fc(props: dict[str, Any], geom: Any) -> dict[str, Any]:
    feature = {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
    return {"type": "FeatureCollection", "features": [feature]}


def _district(code: str, name: str, geom: Any) -> ImportAreas:
    return ImportAreas(
        features_from_geojson(_fc({}, geom)), AreaLevel.district, code=code, name=name
    )


@pytest.fixture
def district_city(platform: Platform, client: TestClient) -> TestClient:
    with platform.uow() as uow:
        platform.geo.import_areas(uow, SYSTEM, _district("330103", "下城区", DISTRICT))
        platform.geo.import_areas(
            uow,
            SYSTEM,
            ImportAreas(
                features_from_geojson(_fc({"name": "武林街道"}, STREET)),
                AreaLevel.street,
                parent="330103",
            ),
        )
        for code, name in [("A13", "咨询建议"), ("A1301", "政策咨询")]:
            platform.taxonomy.upsert_category(uow, SYSTEM, _consultation(code, name))
        platform.org.create_user(
            uow,
            SYSTEM,
            NewUser(username="hot", password=PASSWORD, display_name="hot", roles=("operator",)),
        )
        platform.knowledge.load_defaults(uow, SYSTEM)
    return client


def _headers(platform: Platform) -> dict[str, str]:
    with platform.read() as s:
        token = platform.org.access_token_for_user(s, "hot").access_token
    return {"Authorization": f"Bearer {token}"}


def test_a_consultation_without_a_place_is_filed_at_the_district(
    platform: Platform, district_city: TestClient
) -> None:
    r = district_city.post("/api/v1/hotline/calls", json=CONSULTATION, headers=_headers(platform))
    assert r.status_code == 201, r.text
    case = r.json()["case"]
    assert (case["status"], case["area_code"]) == ("closed", "330103")


def test_with_several_top_level_areas_the_place_must_be_given(
    platform: Platform, district_city: TestClient
) -> None:
    with platform.uow() as uow:
        platform.geo.import_areas(uow, SYSTEM, _district("330105", "拱墅区", OTHER_DISTRICT))
    r = district_city.post("/api/v1/hotline/calls", json=CONSULTATION, headers=_headers(platform))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "no_root_area"
    assert "area_code" in error["message"]
    with platform.read() as s:
        assert s.execute(select(func.count()).select_from(cases)).scalar_one() == 0
    chosen = {**CONSULTATION, "area_code": "330105"}
    r = district_city.post("/api/v1/hotline/calls", json=chosen, headers=_headers(platform))
    assert r.status_code == 201, r.text
    assert r.json()["case"]["area_code"] == "330105"
