"""Org fixtures: the areas of a small district (下城区 330103: three streets, three communities in
the first), a small organisation (a district, two streets, a city department) and accounts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import shapely
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.geo.public import AreaLevel, ImportAreas, features_from_geojson
from cityops.kernel.actor import SYSTEM
from cityops.org.public import DepartmentKind, NewDepartment, NewUser

PASSWORD = "correct-horse-battery"

DEPARTMENTS = [
    NewDepartment("QZF-XC", "下城区人民政府", DepartmentKind.district_government, "330103"),
    NewDepartment("JD-WL", "武林街道办事处", DepartmentKind.street_office, "330103001"),
    NewDepartment("JD-TS", "天水街道办事处", DepartmentKind.street_office, "330103002"),
    NewDepartment("CGJ", "城市管理局", DepartmentKind.city_department),
    NewDepartment("SW", "水务集团", DepartmentKind.company, phone="0571-88888888"),
]

USERS = [
    NewUser("admin", PASSWORD, ("admin",), display_name="管理员"),
    NewUser("op1", PASSWORD, ("operator",), display_name="受理员一", phone="13812341234"),
    NewUser("hd1", PASSWORD, ("handler",), display_name="承办人", department_code="CGJ"),
    NewUser("wl1", PASSWORD, ("leader",), department_code="JD-WL"),
    NewUser("insp1", PASSWORD, ("inspector",), area_codes=("330103001002",)),
]


def import_areas(platform: Platform) -> None:
    """District 330103; streets 330103001..003 side by side; communities 330103001001..003 in
    the first street (the codes the organisation below and the tests name)."""

    def fc(level: AreaLevel, *areas: tuple[str, shapely.Polygon]) -> ImportAreas:
        doc = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": f"区域{code}", "code": code},
                    "geometry": shapely.geometry.mapping(shape),
                }
                for code, shape in areas
            ],
        }
        return ImportAreas(features_from_geojson(doc), level, code_prop="code")

    steps = [
        fc(AreaLevel.district, ("330103", shapely.box(120.10, 30.26, 120.16, 30.30))),
        fc(
            AreaLevel.street,
            *[
                (f"330103{n:03d}", shapely.box(120.08 + 0.02 * n, 30.26, 120.10 + 0.02 * n, 30.30))
                for n in (1, 2, 3)
            ],
        ),
        fc(
            AreaLevel.community,
            *[
                (
                    f"330103001{n:03d}",
                    shapely.box(120.10, 30.25 + 0.01 * n, 120.12, 30.26 + 0.01 * n),
                )
                for n in (1, 2, 3)
            ],
        ),
    ]
    with platform.uow() as uow:
        for cmd in steps:
            platform.geo.import_areas(uow, SYSTEM, cmd)


@pytest.fixture
def org(platform: Platform) -> Platform:
    """The platform with the areas and the organisation above created through the use cases."""
    import_areas(platform)
    with platform.uow() as uow:
        for dept in DEPARTMENTS:
            platform.org.create_department(uow, SYSTEM, dept)
        for user in USERS:
            platform.org.create_user(uow, SYSTEM, user)
    platform.relay.drain()
    return platform


SignIn = Callable[..., dict[str, str]]


@pytest.fixture
def api(org: Platform, client: TestClient) -> TestClient:
    """The HTTP client over the platform with the organisation loaded."""
    return client


@pytest.fixture
def sign_in(api: TestClient) -> SignIn:
    """sign_in(username, password=PASSWORD) -> Authorization headers, through the login API."""

    def _sign_in(username: str, password: str = PASSWORD) -> dict[str, str]:
        form = {"username": username, "password": password}
        res = api.post("/api/v1/auth/token", data=form)
        assert res.status_code == 200, res.text
        return {"Authorization": f"Bearer {res.json()['access_token']}"}

    return _sign_in


@pytest.fixture
def admin_headers(sign_in: SignIn) -> dict[str, str]:
    return sign_in("admin")
