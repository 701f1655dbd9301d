"""The city for hotline tests: the shared case-test city (tests/support/case_city.py) plus the
consultation branch of the responsibility list (A13 咨询建议 → A1301 政策咨询, under the district
government of the place), the default knowledge base, an administrator and an operator with 直派
rights (operator + dispatcher)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from case_city import GRID, WORKING, build_city
from case_city import City as CaseCity
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM
from cityops.org.public import DepartmentKind, NewDepartment, NewUser
from cityops.taxonomy.model import Category, CategoryKind, ResponsibleKind, Urgency

PASSWORD = "correct horse battery"
CALLER = "13912345678"


def _consultation(code: str, name: str) -> Category:
    return Category(
        code=code,
        name=name,
        parent_code=code[:-2] if len(code) > 3 else None,
        level=(len(code) - 1) // 2,
        kind=CategoryKind.appeal,
        filing_condition="市民咨询政策，内容明确",
        urgency=Urgency.normal,
        responsible_kind=ResponsibleKind.district_government,
        department_code=None,
        limits=WORKING,
    )


@dataclass
class City(CaseCity):
    lon: float = 0.0
    lat: float = 0.0  # a point inside GRID

    def call(self, user: str = "hot", expect: int = 201, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "phone": CALLER,
            "appeal_type": "help",
            "text": "湖滨路口的路灯晚上不亮，行人看不清路",
            "mode": "record",
            "category_code": "E9001",
            "lon": self.lon,
            "lat": self.lat,
        }
        body.update(fields)
        body = {k: v for k, v in body.items() if v is not None}
        r = self.client.post("/api/v1/hotline/calls", json=body, headers=self.auth(user))
        assert r.status_code == expect, r.text
        data: dict[str, Any] = r.json()
        return data

    def assist(self, user: str = "hot", expect: int = 200, **fields: Any) -> dict[str, Any]:
        r = self.client.post("/api/v1/hotline/assist", json=fields, headers=self.auth(user))
        assert r.status_code == expect, r.text
        data: dict[str, Any] = r.json()
        return data

    def callers(self, phone: str, user: str = "hot", expect: int = 200) -> list[dict[str, Any]]:
        r = self.client.get(f"/api/v1/hotline/callers/{phone}/appeals", headers=self.auth(user))
        assert r.status_code == expect, r.text
        data: list[dict[str, Any]] = r.json() if expect == 200 else []
        return data


@pytest.fixture
def city(platform: Platform, client: TestClient) -> City:
    base = build_city(platform, client)
    with platform.uow() as uow:
        for code, name in [("A13", "咨询建议"), ("A1301", "政策咨询")]:
            platform.taxonomy.upsert_category(uow, SYSTEM, _consultation(code, name))
        platform.org.create_department(
            uow,
            SYSTEM,
            NewDepartment(
                code="QZ330191",
                name="东湖区人民政府",
                kind=DepartmentKind.district_government,
                area_code="330191",
            ),
        )
        for username, roles in [("hot", ("operator", "dispatcher")), ("adm", ("admin",))]:
            platform.org.create_user(
                uow,
                SYSTEM,
                NewUser(username=username, password=PASSWORD, display_name=username, roles=roles),
            )
        platform.knowledge.load_defaults(uow, SYSTEM)
    lon, lat = base.point_in(GRID)
    return City(platform=base.platform, client=base.client, lon=lon, lat=lat)
