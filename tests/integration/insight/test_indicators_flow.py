"""The indicators end to end: cases driven through the real HTTP workflow, then counted and rated
by GET /api/v1/indicators/cases. Every expected number is worked out by hand in the comments."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM
from cityops.org.public import DepartmentKind, NewDepartment, NewUser
from cityops.taxonomy.model import Category, CategoryKind, ResponsibleKind, Urgency
from cityops.worktime.limits import LimitUnit, Stage, TimeLimit

STREET, OTHER_STREET = "330191001", "330192001"  # streets of the generated demo city
GRID, OTHER_GRID = "330191001001001", "330192001001001"
LAMP, LITTER = "E9001", "E9002"  # → the city department CGJ | → the street office of the place
PASSWORD = "correct horse battery"
LIMITS = {
    Stage.register: TimeLimit(1, LimitUnit.working_hours),
    Stage.dispatch: TimeLimit(1, LimitUnit.working_hours),
    Stage.handle: TimeLimit(2, LimitUnit.working_days),
    Stage.verify: TimeLimit(4, LimitUnit.working_hours),
    Stage.close: TimeLimit(1, LimitUnit.working_days),
}


class Flow:
    def __init__(self, platform: Platform, client: TestClient) -> None:
        self.platform = platform
        self.client = client

    def auth(self, username: str) -> dict[str, str]:
        with self.platform.read() as s:
            token = self.platform.org.access_token_for_user(s, username).access_token
        return {"Authorization": f"Bearer {token}"}

    def create(self, category: str = LAMP, grid: str = GRID) -> dict[str, Any]:
        body = {
            "source": "hotline",
            "title": "市民反映",
            "description": "市民来电反映问题",
            "category_code": category,
            "area_code": grid,
        }
        r = self.client.post("/api/v1/cases", json=body, headers=self.auth("op"))
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()
        return data

    def act(self, user: str, case: dict[str, Any], action: str, **fields: Any) -> dict[str, Any]:
        r = self.client.post(
            f"/api/v1/cases/{case['id']}/actions/{action}",
            json={"version": case["version"], **fields},
            headers=self.auth(user),
        )
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    def indicators(self, user: str = "boss", **params: str) -> dict[str, Any]:
        r = self.client.get("/api/v1/indicators/cases", params=params, headers=self.auth(user))
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data


def _category(code: str, name: str, kind: ResponsibleKind, dept: str | None) -> Category:
    return Category(
        code=code,
        name=name,
        parent_code=code[:-2] if len(code) > 3 else None,
        level=(len(code) - 1) // 2,
        kind=CategoryKind.event,
        filing_condition="影响市容或安全",
        urgency=Urgency.normal,
        responsible_kind=kind,
        department_code=dept,
        limits=LIMITS,
    )


@pytest.fixture
def flow(platform: Platform, client: TestClient) -> Flow:
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
        for username, spec in {
            "op": {"roles": ["operator"]},
            "disp": {"roles": ["dispatcher"]},
            "disp_hubin": {"roles": ["dispatcher"], "area_codes": (STREET,)},
            "lead_west": {"roles": ["shift_leader"], "area_codes": (OTHER_STREET,)},
            "boss": {"roles": ["leader"]},
            "insp": {"roles": ["inspector"], "area_codes": (STREET,)},
            "h_cgj": {"roles": ["handler"], "department_code": "CGJ"},
        }.items():
            platform.org.create_user(
                uow, SYSTEM, NewUser(username=username, password=PASSWORD, **spec)
            )
    with platform.uow() as uow:
        platform.taxonomy.upsert_category(
            uow, SYSTEM, _category("E90", "测试事件", ResponsibleKind.street_office, None)
        )
        platform.taxonomy.upsert_category(
            uow, SYSTEM, _category(LAMP, "路灯不亮", ResponsibleKind.department, "CGJ")
        )
        platform.taxonomy.upsert_category(
            uow, SYSTEM, _category(LITTER, "暴露垃圾", ResponsibleKind.street_office, None)
        )
    return Flow(platform, client)


@pytest.fixture
def five_cases(flow: Flow) -> Flow:
    """Reported on Monday 2026-11-23 (the test clock), all in one working morning:
    A  lamp: registered, dispatched to CGJ as suggested, handled, verified → closed
    B  lamp: registered, dispatched to SWJ (not the listed department), left there
    C  litter in the other street: rejected (不予立案)
    D  lamp: dispatched to CGJ, handled, verification fails (返工), handled again → closed
    E  lamp: registered, not dispatched yet
    """
    a = flow.act("disp", flow.act("op", flow.create(), "register"), "dispatch")
    a = flow.act("h_cgj", flow.act("h_cgj", a, "sign"), "finish", note="已处置")
    flow.act("insp", a, "verify", passed=True)
    b = flow.act("op", flow.create(), "register")
    flow.act("disp", b, "dispatch", department_code="SWJ")
    flow.act("op", flow.create(LITTER, OTHER_GRID), "reject", reason="不属于城市管理范围")
    d = flow.act("disp", flow.act("op", flow.create(), "register"), "dispatch")
    d = flow.act("h_cgj", flow.act("h_cgj", d, "sign"), "finish", note="已处置")
    d = flow.act("h_cgj", flow.act("insp", d, "verify", passed=False), "finish", note="再处置")
    flow.act("insp", d, "verify", passed=True)
    flow.act("op", flow.create(), "register")
    return flow


def test_total_counts_and_rates(five_cases: Flow) -> None:
    body = five_cases.indicators(
        group_by="department", **{"from": "2026-11-23", "to": "2026-11-23"}
    )
    total = body["total"]
    assert total["counts"] == {
        "reported": 5,  # A B C D E
        "registered": 4,  # all but the rejected C
        "dispatched": 3,  # A B D
        "accurately_dispatched": 2,  # A D (B went to SWJ, not the listed CGJ)
        "due_to_handle": 2,  # A D handled; B's deadline is after the window
        "handled_on_time": 2,
        "due_to_close": 2,  # A D closed; B and E not due yet
        "closed": 2,
        "closed_on_time": 2,
        "reworked": 1,  # D
        "extended": 0,
    }
    assert total["rates"] == {
        "registration_rate": 0.8,  # 4/5
        "dispatch_rate": 0.75,  # 3/4
        "accurate_dispatch_rate": 0.6667,  # 2/3
        "on_time_handling_rate": 1.0,  # 2/2
        "closure_rate": 1.0,  # 2/2
        "on_time_closure_rate": 1.0,  # 2/2
        "rework_rate": 0.5,  # 1/2
        "extension_rate": 0.0,  # 0/3
    }


def test_rows_by_department(five_cases: Flow) -> None:
    body = five_cases.indicators(
        group_by="department", **{"from": "2026-11-23", "to": "2026-11-23"}
    )
    rows = {r["group_code"]: r for r in body["rows"]}
    assert sorted(rows) == ["CGJ", "ST_WENXIN", "SWJ"]
    # CGJ holds A and D and is the listed department of the undispatched E
    assert rows["CGJ"]["group_name"] == "城市管理局"
    assert [rows["CGJ"]["counts"][k] for k in ("reported", "registered", "dispatched")] == [3, 3, 2]
    assert rows["CGJ"]["rates"]["accurate_dispatch_rate"] == 1.0  # 2/2
    assert rows["CGJ"]["rates"]["dispatch_rate"] == 0.6667  # 2/3
    # SWJ holds B: dispatched there, not accurately, nothing due yet
    assert rows["SWJ"]["rates"]["accurate_dispatch_rate"] == 0.0  # 0/1
    assert rows["SWJ"]["rates"]["closure_rate"] is None  # 0/0
    # the rejected litter case belongs to the street office of its place
    assert rows["ST_WENXIN"]["counts"]["reported"] == 1
    assert rows["ST_WENXIN"]["rates"]["registration_rate"] == 0.0  # 0/1
    assert rows["ST_WENXIN"]["rates"]["dispatch_rate"] is None  # 0/0


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        ("area", {STREET: 4, OTHER_STREET: 1}),
        ("district", {"330191": 4, "330192": 1}),
    ],
)
def test_rows_by_place(five_cases: Flow, group_by: str, expected: dict[str, int]) -> None:
    body = five_cases.indicators(group_by=group_by, **{"from": "2026-11-23", "to": "2026-11-23"})
    assert {r["group_code"]: r["counts"]["reported"] for r in body["rows"]} == expected
    assert all(r["group_name"] for r in body["rows"])
    assert body["total"]["counts"]["reported"] == 5


@pytest.mark.parametrize(
    ("start", "end", "reported"),
    [
        ("2026-11-22", "2026-11-22", 0),  # the day before (Shanghai)
        ("2026-11-24", "2026-11-30", 0),  # after
        ("2026-11-23", "2026-11-23", 5),  # `to` is inclusive
        ("2026-11-01", "2026-11-30", 5),
    ],
)
def test_window_bounds(five_cases: Flow, start: str, end: str, reported: int) -> None:
    body = five_cases.indicators(group_by="area", **{"from": start, "to": end})
    assert body["total"]["counts"]["reported"] == reported


@pytest.mark.parametrize(
    ("user", "streets", "reported"),
    [
        ("boss", {STREET: 4, OTHER_STREET: 1}, 5),  # city-wide
        ("disp_hubin", {STREET: 4}, 4),  # a dispatcher of 湖滨 only
        ("lead_west", {OTHER_STREET: 1}, 1),  # a shift leader of 文新 only
    ],
)
@pytest.mark.parametrize("group_by", ["area", "department"])
def test_counts_keep_to_the_viewers_areas(
    five_cases: Flow, user: str, streets: dict[str, int], reported: int, group_by: str
) -> None:
    """The counts cover the cases the viewer may list, nothing more."""
    window = {"from": "2026-11-23", "to": "2026-11-23"}
    body = five_cases.indicators(user, group_by=group_by, **window)
    assert body["total"]["counts"]["reported"] == reported
    if group_by == "area":
        assert {r["group_code"]: r["counts"]["reported"] for r in body["rows"]} == streets
    listed = five_cases.client.get(
        "/api/v1/cases",
        params={"size": 200},
        headers=five_cases.auth(user),
    ).json()["total"]
    assert listed == reported


def test_a_window_into_the_future_counts_as_due_only_what_is_due_now(five_cases: Flow) -> None:
    """Today is 2026-11-23: B's handle deadline (two working days) and E's close deadline lie
    ahead, so a window ending on 11-30 counts them as due no more than one ending today."""
    today = five_cases.indicators(**{"from": "2026-11-23", "to": "2026-11-23"})["total"]
    ahead = five_cases.indicators(**{"from": "2026-11-23", "to": "2026-11-30"})["total"]
    assert (ahead["counts"]["due_to_handle"], ahead["counts"]["due_to_close"]) == (2, 2)
    assert ahead == today
    assert ahead["rates"]["closure_rate"] == 1.0  # 2/2, not 2/4
