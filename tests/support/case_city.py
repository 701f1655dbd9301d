"""A small city for tests over the case API: the synthetic demo city (geo), a few departments and
users of every role, and three categories with known time limits. Everything is built through
the other domains' services; the tests then go through HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import shapely.geometry
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cityops.app import Platform
from cityops.cases.store import case_extensions, case_history, cases
from cityops.kernel.actor import SYSTEM
from cityops.org.public import DepartmentKind, NewDepartment, NewUser
from cityops.taxonomy.public import Category, CategoryKind, ResponsibleKind, Urgency
from cityops.worktime.public import LimitUnit, Stage, TimeLimit

STREET = "330191001"  # 湖滨街道 in the demo city's 东湖区
OTHER_STREET = "330192001"  # 文新街道 in 西岭区
GRID = "330191001001001"
OTHER_GRID = "330192001001001"
LAMP = "E9001"  # routed to the city department CGJ
LITTER = "E9002"  # routed to the street office of the place
LEAK = "E9003"  # urgent, calendar hours
WORKING = {
    Stage.register: TimeLimit(1, LimitUnit.working_hours),
    Stage.dispatch: TimeLimit(1, LimitUnit.working_hours),
    Stage.handle: TimeLimit(2, LimitUnit.working_days),
    Stage.verify: TimeLimit(4, LimitUnit.working_hours),
    Stage.close: TimeLimit(1, LimitUnit.working_days),
}
URGENT = {stage: TimeLimit(2, LimitUnit.calendar_hours) for stage in Stage}
PASSWORD = "correct horse battery"

USERS: dict[str, dict[str, Any]] = {
    "op": {"roles": ["operator"]},
    "disp": {"roles": ["dispatcher"]},
    "disp2": {"roles": ["dispatcher"]},
    "lead": {"roles": ["shift_leader"]},
    "boss": {"roles": ["leader"]},
    "h_cgj": {"roles": ["handler"], "department_code": "CGJ"},
    "h_street": {"roles": ["handler"], "department_code": "ST_HUBIN"},
    "h_water": {"roles": ["handler"], "department_code": "SWJ"},
    "insp": {"roles": ["inspector"], "area_codes": (STREET,)},
    "insp_west": {"roles": ["inspector"], "area_codes": (OTHER_STREET,)},
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
        "limits": WORKING,
    }
    base.update(kw)
    return Category(**base)


@dataclass
class City:
    platform: Platform
    client: TestClient

    def auth(self, username: str) -> dict[str, str]:
        """A fresh token (tests move the clock past a token's lifetime)."""
        with self.platform.read() as s:
            token = self.platform.org.access_token_for_user(s, username).access_token
        return {"Authorization": f"Bearer {token}"}

    def point_in(self, area_code: str) -> tuple[float, float]:
        with self.platform.read() as s:
            feature = self.platform.geo.get_feature(s, area_code)
        p = shapely.geometry.shape(feature.geometry).representative_point()
        return p.x, p.y

    def create(self, user: str = "op", **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "source": "hotline",
            "title": "路灯不亮",
            "description": "湖滨路口的路灯晚上不亮",
            "category_code": LAMP,
            "area_code": GRID,
            "reporter_name": "张三",
            "reporter_phone": "13812345678",
        }
        body.update(fields)
        r = self.client.post("/api/v1/cases", json=body, headers=self.auth(user))
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()
        return data

    def act(
        self, user: str, case: dict[str, Any], action: str, expect: int = 200, **fields: Any
    ) -> dict[str, Any]:
        body = {"version": case["version"], **fields}
        r = self.client.post(
            f"/api/v1/cases/{case['id']}/actions/{action}", json=body, headers=self.auth(user)
        )
        assert r.status_code == expect, r.text
        data: dict[str, Any] = r.json()
        return data

    def get(self, user: str, case_id: int, expect: int = 200, **params: Any) -> dict[str, Any]:
        r = self.client.get(f"/api/v1/cases/{case_id}", params=params, headers=self.auth(user))
        assert r.status_code == expect, r.text
        data: dict[str, Any] = r.json()
        return data

    def history(self, user: str, case_id: int) -> list[dict[str, Any]]:
        r = self.client.get(f"/api/v1/cases/{case_id}/history", headers=self.auth(user))
        assert r.status_code == 200, r.text
        data: list[dict[str, Any]] = r.json()
        return data

    def to_handled(self, case: dict[str, Any]) -> dict[str, Any]:
        case = self.act("disp", self.act("op", case, "register"), "dispatch")
        case = self.act("h_cgj", case, "sign")
        return self.act(
            "h_cgj",
            case,
            "finish",
            note="已更换灯泡",
            photos=["/media/2026/11/lampafter-0000000001.jpg"],
        )

    def snapshot(self) -> tuple[int, ...]:
        """Row counts and the sum of versions: equal before and after a refused request."""
        with self.platform.read() as s:
            return (
                s.execute(select(func.count()).select_from(cases)).scalar_one(),
                s.execute(select(func.count()).select_from(case_history)).scalar_one(),
                s.execute(select(func.count()).select_from(case_extensions)).scalar_one(),
                s.execute(select(func.coalesce(func.sum(cases.c.version), 0))).scalar_one(),
            )


def build_city(platform: Platform, client: TestClient) -> City:
    with platform.uow() as uow:
        platform.geo.generate_demo_city(uow, SYSTEM)
    with platform.uow() as uow:
        for code, name, kind, area in [
            ("CGJ", "城市管理局", DepartmentKind.city_department, None),
            ("SWJ", "水务局", DepartmentKind.city_department, None),
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
            _category("E90", "测试事件", department_code=None),
            _category(
                LAMP,
                "路灯不亮",
                responsible_kind=ResponsibleKind.department,
                department_code="CGJ",
            ),
            _category(LITTER, "暴露垃圾"),
            _category(
                LEAK,
                "供水管爆裂",
                urgency=Urgency.urgent,
                responsible_kind=ResponsibleKind.department,
                department_code="SWJ",
                limits=URGENT,
            ),
        ]:
            platform.taxonomy.upsert_category(uow, SYSTEM, category)
    return City(platform=platform, client=client)
