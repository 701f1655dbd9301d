"""A small city for duplicate tests: the demo city (geo), the departments a lamp and litter are
routed to, staff of the roles that matter, and two categories. Built through the other domains'
services; the tests go through HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import shapely.geometry
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.cases.taxonomy import (
    Category,
    CategoryKind,
    LimitUnit,
    ResponsibleKind,
    Stage,
    TimeLimit,
    Urgency,
)
from cityops.kernel.actor import SYSTEM
from cityops.org.public import DepartmentKind, NewDepartment, NewUser

STREET = "330191001"  # 湖滨街道 in the demo city's 东湖区
OTHER_STREET = "330192001"  # 文新街道 in 西岭区
GRID = "330191001001001"
LAMP = "E9001"  # routed to the city department CGJ
LITTER = "E9002"  # routed to the street office of the place
LIMITS = {
    Stage.register: TimeLimit(1, LimitUnit.working_hours),
    Stage.dispatch: TimeLimit(1, LimitUnit.working_hours),
    Stage.handle: TimeLimit(2, LimitUnit.working_days),
    Stage.verify: TimeLimit(4, LimitUnit.working_hours),
    Stage.close: TimeLimit(1, LimitUnit.working_days),
}
PASSWORD = "correct horse battery"
METRE_LAT = 1 / 111_195  # degrees of latitude per metre

USERS: dict[str, dict[str, Any]] = {
    "op": {"roles": ["operator"]},
    "disp": {"roles": ["dispatcher"]},
    "insp": {"roles": ["inspector"], "area_codes": (STREET,)},
    "insp_west": {"roles": ["inspector"], "area_codes": (OTHER_STREET,)},
    "h_cgj": {"roles": ["handler"], "department_code": "CGJ"},
    "cit": {"roles": ["citizen"]},
}


def _category(code: str, name: str, **kw: Any) -> Category:
    base: dict[str, Any] = {
        "code": code,
        "name": name,
        "parent_code": code[:-2] if len(code) > 3 else None,
        "level": (len(code) - 1) // 2,
        "kind": CategoryKind.event,
        "filing_condition": "影响市容或安全",
        "urgency": Urgency.normal,
        "responsible_kind": ResponsibleKind.street_office,
        "department_code": None,
        "limits": LIMITS,
    }
    base.update(kw)
    return Category(**base)


@dataclass
class City:
    platform: Platform
    client: TestClient
    lon: float
    lat: float  # a point inside GRID; cases are placed north of it

    def auth(self, username: str) -> dict[str, str]:
        with self.platform.read() as s:
            token = self.platform.org.access_token_for_user(s, username).access_token
        return {"Authorization": f"Bearer {token}"}

    def create(
        self, title: str, description: str, *, north_m: float = 0, **fields: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "source": "hotline",
            "title": title,
            "description": description,
            "category_code": LAMP,
            "lon": self.lon,
            "lat": self.lat + north_m * METRE_LAT,
            "reporter_name": "张三",
            "reporter_phone": "13812345678",
        }
        body.update(fields)
        r = self.client.post("/api/v1/cases", json=body, headers=self.auth("op"))
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()
        return data

    def act(self, user: str, case: dict[str, Any], action: str, **fields: Any) -> dict[str, Any]:
        body = {"version": case["version"], **fields}
        r = self.client.post(
            f"/api/v1/cases/{case['id']}/actions/{action}", json=body, headers=self.auth(user)
        )
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

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
    with platform.uow() as uow:
        platform.geo.generate_demo_city(uow, SYSTEM)
    with platform.uow() as uow:
        for code, name, kind, area in [
            ("CGJ", "城市管理局", DepartmentKind.city_department, None),
            ("ST_HUBIN", "湖滨街道办事处", DepartmentKind.street_office, STREET),
            ("ST_WENXIN", "文新街道办事处", DepartmentKind.street_office, OTHER_STREET),
        ]:
            platform.org.create_department(
                uow, SYSTEM, NewDepartment(code=code, name=name, kind=kind, area_code=area)
            )
        for username, spec in USERS.items():
            platform.org.create_user(
                uow,
                SYSTEM,
                NewUser(username=username, password=PASSWORD, display_name=username, **spec),
            )
    with platform.uow() as uow:
        for category in [
            _category("E90", "测试事件"),
            _category(
                LAMP,
                "路灯不亮",
                responsible_kind=ResponsibleKind.department,
                department_code="CGJ",
            ),
            _category(LITTER, "暴露垃圾"),
        ]:
            platform.taxonomy.upsert_category(uow, SYSTEM, category)
    with platform.read() as s:
        feature = platform.geo.get_feature(s, GRID)
    # a point well inside the grid, so that cases a few hundred metres north stay in the street
    p = shapely.geometry.shape(feature.geometry).representative_point()
    return City(platform=platform, client=client, lon=p.x, lat=p.y)
