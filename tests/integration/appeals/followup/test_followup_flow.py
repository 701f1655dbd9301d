"""回访 and the 三率 end to end: cases driven through the real HTTP workflow to closed and
evaluated, the relay drained, then the follow-up rows and GET /api/v1/indicators/three-rates.
Every expected number is worked out by hand in the comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from visits import UNSATISFIED_REOPEN

from cityops.app import Platform
from cityops.appeals.followup import store
from cityops.appeals.followup.handlers import SUBSCRIPTION
from cityops.cases.public import CaseEvaluated
from cityops.kernel.actor import SYSTEM
from cityops.org.public import DepartmentKind, NewDepartment, NewUser
from cityops.taxonomy.model import Category, CategoryKind, ResponsibleKind, Urgency
from cityops.worktime.limits import LimitUnit, Stage, TimeLimit

URL = "/api/v1/indicators/three-rates"
STREET, GRID = "330191001", "330191001001001"  # 湖滨街道 of the generated demo city
OTHER_STREET, OTHER_GRID = "330192001", "330192001001001"  # 文新街道
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

    def act(self, user: str, case: dict[str, Any], action: str, **fields: Any) -> dict[str, Any]:
        r = self.client.post(
            f"/api/v1/cases/{case['id']}/actions/{action}",
            json={"version": case["version"], **fields},
            headers=self.auth(user),
        )
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    def closed_case(self, category: str, handler: str, grid: str = GRID) -> dict[str, Any]:
        body = {
            "source": "hotline",
            "title": "市民反映",
            "description": "市民来电反映问题",
            "category_code": category,
            "area_code": grid,
        }
        r = self.client.post("/api/v1/cases", json=body, headers=self.auth("op"))
        assert r.status_code == 201, r.text
        case = self.act("disp", self.act("op", r.json(), "register"), "dispatch")
        case = self.act(handler, self.act(handler, case, "sign"), "finish", note="已处置")
        case = self.act("disp", case, "verify", passed=True)
        assert case["status"] == "closed"
        return case

    def rates(self, user: str = "boss", **params: str) -> Any:
        return self.client.get(URL, params=params, headers=self.auth(user))


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
            ("ST_HUBIN", "湖滨街道办事处", DepartmentKind.street_office, STREET),
        ]:
            platform.org.create_department(
                uow, SYSTEM, NewDepartment(code=code, name=name, kind=kind, area_code=area)
            )
        users: dict[str, dict[str, Any]] = {
            "op": {"roles": ["operator"]},
            "disp": {"roles": ["dispatcher"]},
            "boss": {"roles": ["leader"]},
            "disp_hubin": {"roles": ["dispatcher"], "area_codes": (STREET,)},
            "op_west": {"roles": ["operator"], "area_codes": (OTHER_STREET,)},
            "insp": {"roles": ["inspector"], "area_codes": (STREET,)},
            "h_cgj": {"roles": ["handler"], "department_code": "CGJ"},
            "h_street": {"roles": ["handler"], "department_code": "ST_HUBIN"},
        }
        for username, spec in users.items():
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
def visited(flow: Flow) -> tuple[Flow, list[int]]:
    """Three cases closed on Monday 2026-11-23 (the test clock) and visited by the operator:
    A  lamp, CGJ:      contacted, resolved,     满意
    B  lamp, CGJ:      contacted, not resolved, 基本满意
    C  litter, 湖滨:   not contacted (the visit did not reach the citizen: no answers)
    """
    a = flow.closed_case(LAMP, "h_cgj")
    b = flow.closed_case(LAMP, "h_cgj")
    c = flow.closed_case(LITTER, "h_street")
    flow.act("op", a, "evaluate", contacted=True, resolved=True, satisfaction="satisfied")
    flow.act(
        "op", b, "evaluate", contacted=True, resolved=False, satisfaction="basically_satisfied"
    )
    flow.act("op", c, "evaluate", contacted=False)
    flow.platform.relay.drain()
    return flow, [a["id"], b["id"], c["id"]]


def test_each_evaluation_becomes_one_visit_row(visited: tuple[Flow, list[int]]) -> None:
    flow, (a, b, c) = visited
    with flow.platform.read() as s:
        rows = {cid: store.visits_for_case(s, cid) for cid in (a, b, c)}
    assert [len(r) for r in rows.values()] == [1, 1, 1]
    va, vc = rows[a][0], rows[c][0]
    assert (va.contacted, va.resolved, va.satisfaction) == (True, True, "satisfied")
    assert (va.department_code, va.department_name) == ("CGJ", "城市管理局")
    assert (va.street_code, va.source, va.urgency) == (STREET, "hotline", "normal")
    assert va.handled_at is not None
    assert va.responded_within_limit is True  # handled at once: within 7 days
    assert (vc.contacted, vc.resolved, vc.satisfaction) == (False, None, None)
    assert vc.department_code == "ST_HUBIN"


def test_a_redelivered_event_is_recorded_once(visited: tuple[Flow, list[int]]) -> None:
    flow, (a, _, _) = visited
    flow.platform.relay.drain()
    (sub,) = [
        s for s in flow.platform.bus.subscriptions_for("CaseEvaluated") if s.name == SUBSCRIPTION
    ]
    event = CaseEvaluated(
        occurred_at=flow.platform.clock.now(),
        event_id="replayed-event-1",
        case_id=a,
        case_number="X",
        satisfaction="satisfied",
        contacted=True,
        resolved=True,
    )
    sub.handler(event)
    sub.handler(event)
    with flow.platform.read() as s:
        assert len(store.visits_for_case(s, a)) == 2  # the original and the replayed one


def test_rates_by_department(visited: tuple[Flow, list[int]]) -> None:
    flow, _ = visited
    r = flow.rates(group_by="department", month="2026-11")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["month"], body["group_by"]) == ("2026-11", "department")
    rows = {row["group_code"]: row for row in body["rows"]}
    assert sorted(rows) == ["CGJ", "ST_HUBIN"]
    assert rows["CGJ"]["group_name"] == "城市管理局"
    assert rows["CGJ"]["rates"] == {
        "response_rate": 1.0,  # 2/2
        "on_time_response_rate": 1.0,  # 2/2
        "resolution_rate": 0.5,  # 1/2
        "satisfaction_rate": 0.95,  # (1 + 0.9 × 1)/2
        "composite": 0.73,  # 0.1 × 1 + 0.5 × 0.5 + 0.4 × 0.95
    }
    # the unreached visit counts against 响应率 and in nothing else
    assert rows["ST_HUBIN"]["rates"] == {
        "response_rate": 0.0,  # 0/1
        "on_time_response_rate": 1.0,  # 1/1: handled within the limit all the same
        "resolution_rate": None,  # 0/0
        "satisfaction_rate": None,  # 0/0
        "composite": None,
    }
    total = body["total"]
    assert total["group_name"] == "合计"
    assert total["counts"]["visits"] == 3
    assert total["counts"]["basically_satisfied"] == 1
    assert (total["counts"]["resolution_rated"], total["counts"]["satisfaction_rated"]) == (2, 2)
    assert total["rates"] == {
        "response_rate": 0.6667,  # 2/3
        "on_time_response_rate": 1.0,  # 3/3
        "resolution_rate": 0.5,  # 1/2
        "satisfaction_rate": 0.95,  # (1 + 0.9)/2
        "composite": 0.6967,  # 0.1 × 2/3 + 0.5 × 0.5 + 0.4 × 0.95
    }
    assert body["weights"] == {
        "response_rate": 0.1,
        "resolution_rate": 0.5,
        "satisfaction_rate": 0.4,
    }
    assert body["basic_weight"] == 0.9
    assert body["names"]["response_rate"] == "响应率"


def test_rates_by_street_and_default_month(visited: tuple[Flow, list[int]]) -> None:
    flow, _ = visited
    body = flow.rates("op", group_by="street").json()  # operators may see them too
    assert body["month"] == "2026-11"  # the test clock's month, Asia/Shanghai
    assert [(r["group_code"], r["counts"]["visits"]) for r in body["rows"]] == [(STREET, 3)]


def test_another_month_is_empty_with_null_rates(visited: tuple[Flow, list[int]]) -> None:
    flow, _ = visited
    body = flow.rates(month="2026-10").json()
    assert body["rows"] == []
    assert set(body["total"]["rates"].values()) == {None}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"month": "2026-13"}, "invalid_month"),
        ({"month": "november"}, "invalid_month"),
        ({"group_by": "area"}, "invalid_request"),
    ],
)
def test_bad_query_is_a_422(flow: Flow, params: dict[str, str], code: str) -> None:
    r = flow.rates(**params)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == code


def test_a_handler_gets_403(flow: Flow) -> None:
    r = flow.rates("h_cgj")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "three_rates_forbidden"


@pytest.mark.parametrize(
    ("user", "streets"),
    [
        ("boss", {STREET: 3, OTHER_STREET: 1}),  # city-wide
        ("disp_hubin", {STREET: 3}),  # a dispatcher of 湖滨 only
        ("op_west", {OTHER_STREET: 1}),  # an operator of 文新 only
    ],
)
@pytest.mark.parametrize("group_by", ["street", "department"])
def test_rates_keep_to_the_viewers_areas(
    visited: tuple[Flow, list[int]], user: str, streets: dict[str, int], group_by: str
) -> None:
    flow, _ = visited
    west = flow.closed_case(LAMP, "h_cgj", OTHER_GRID)
    flow.act("op", west, "evaluate", contacted=True, resolved=True, satisfaction="satisfied")
    flow.platform.relay.drain()
    body = flow.rates(user, group_by=group_by, month="2026-11").json()
    assert body["total"]["counts"]["visits"] == sum(streets.values())
    if group_by == "street":
        assert {r["group_code"]: r["counts"]["visits"] for r in body["rows"]} == streets


def test_a_visit_that_reopens_the_case_keeps_its_timeliness(flow: Flow) -> None:
    """重办 clears the case's 办结 time; the visit row keeps the one it judged."""
    case = flow.closed_case(LAMP, "h_cgj")
    handled_at = case["handled_at"]
    reopened = flow.act(
        "op",
        case,
        "evaluate",
        **UNSATISFIED_REOPEN,
    )
    assert (reopened["status"], reopened["handled_at"]) == ("in_progress", None)
    flow.platform.relay.drain()
    with flow.platform.read() as s:
        (visit,) = store.visits_for_case(s, case["id"])
    assert visit.handled_at is not None
    assert visit.handled_at == datetime.fromisoformat(handled_at)
    assert visit.responded_within_limit is True
    counts = flow.rates(month="2026-11").json()["total"]["counts"]
    assert (counts["visits"], counts["timed"], counts["responded_on_time"]) == (1, 1, 1)
