"""The closed loop through HTTP: 受理 → 立案 → 派遣 → 签收 → 办结 → 核查 → 结案 → 评价, with
history; return and re-dispatch; extensions; rework; reopen; self-handling; merge."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from visits import UNSATISFIED_REOPEN

from cityops.cases.events import CaseClosed, CaseDispatched, CaseReported, CaseReturned
from cityops.kernel.actor import SYSTEM
from cityops.org.public import DepartmentKind, NewDepartment

from .conftest import GRID, LITTER, STREET, City


def test_full_loop_with_history(city: City) -> None:
    seen: list[str] = []
    for event in (CaseReported, CaseDispatched, CaseClosed):
        city.platform.bus.subscribe(event, lambda e: seen.append(e.name), name=f"t.{event.name}")
    lon, lat = city.point_in(GRID)
    case = city.create(lon=lon, lat=lat, area_code=None, address="湖滨路1号")
    assert case["status"] == "reported"
    assert case["number"].startswith("C20261123")
    assert case["area"]["street"]["code"] == STREET
    assert case["area"]["grid"]["code"] == GRID
    assert case["suggested_department"]["code"] == "CGJ"
    assert set(case["deadlines"]) == {"register", "dispatch", "handle", "verify", "close"}
    assert case["sla_state"] == "green"
    assert case["stage"] == "register"
    assert case["reporter_phone"] == "138****5678"

    case = city.act("op", case, "register", note="符合立案条件")
    assert (case["status"], case["stage"], case["version"]) == ("registered", "dispatch", 2)
    case = city.act("disp", case, "dispatch")  # defaults to the suggested department
    assert case["status"] == "dispatched"
    assert case["department"]["code"] == "CGJ"
    case = city.act("h_cgj", case, "sign")
    assert case["status"] == "in_progress"
    assert set(case["allowed_actions"]) == {"return", "request_extension", "finish"}
    case = city.act(
        "h_cgj", case, "finish", note="已修复", photos=["/media/2026/11/fixedlamp-0000000001.jpg"]
    )
    assert (case["status"], case["handled_on_time"]) == ("handled", True)
    case = city.act("insp", case, "verify", passed=True)
    assert (case["status"], case["closed_on_time"], case["stage"]) == ("closed", True, None)
    case = city.act("op", case, "evaluate", contacted=True, resolved=True, satisfaction="satisfied")
    assert (case["status"], case["satisfaction"]) == ("closed", "satisfied")
    assert case["allowed_actions"] == []

    history = city.history("boss", case["id"])
    assert [h["action"] for h in history] == [
        "report",
        "register",
        "dispatch",
        "sign",
        "finish",
        "verify",
        "evaluate",
    ]
    assert [h["seq"] for h in history] == list(range(1, 8))
    assert [(h["from_status"], h["to_status"]) for h in history][1:3] == [
        ("reported", "registered"),
        ("registered", "dispatched"),
    ]
    assert history[2]["data"]["as_suggested"] is True
    assert history[4]["attachments"] == ["/media/2026/11/fixedlamp-0000000001.jpg"]
    assert history[4]["actor_name"] == "h_cgj"
    assert history[4]["actor_role"] == "handler"
    assert history[1]["note"] == "符合立案条件"
    city.platform.relay.drain()
    assert seen == ["CaseReported", "CaseDispatched", "CaseClosed"]


def test_return_and_redispatch_records_accuracy(city: City) -> None:
    returned: list[str] = []
    city.platform.bus.subscribe(CaseReturned, lambda e: returned.append(e.reason), name="t.ret")
    case = city.act("op", city.create(), "register")
    case = city.act("disp", case, "dispatch", department_code="SWJ")
    case = city.act("h_water", case, "return", reason="不属于本单位职责")
    assert case["status"] == "registered"
    assert case["department"] is None
    assert case["return_count"] == 1
    city.get("h_water", case["id"])  # still visible to the department it went through
    case = city.act("disp", case, "dispatch", department_code="CGJ")
    assert case["department"]["code"] == "CGJ"
    history = city.history("disp", case["id"])
    dispatches = [h["data"]["as_suggested"] for h in history if h["action"] == "dispatch"]
    assert dispatches == [False, True]
    city.platform.relay.drain()
    assert returned == ["不属于本单位职责"]


def test_street_office_category_routes_to_the_office_of_the_place(city: City) -> None:
    case = city.create(category_code=LITTER, title="暴露垃圾", description="路边有垃圾堆")
    assert case["suggested_department"]["code"] == "ST_HUBIN"
    case = city.act("disp", city.act("op", case, "register"), "dispatch")
    assert city.act("h_street", case, "sign")["status"] == "in_progress"


@pytest.mark.parametrize(
    ("place", "office"),
    [
        ("330191", "QZ330191"),  # known only to the district: the district government
        ("330191002", "QZ330191"),  # 望江街道 has no office of its own
        (GRID, "ST_HUBIN"),  # 湖滨's own office comes first
    ],
)
def test_a_street_matter_without_a_street_office_goes_to_the_district(
    city: City, place: str, office: str
) -> None:
    with city.platform.uow() as uow:
        city.platform.org.create_department(
            uow,
            SYSTEM,
            NewDepartment(
                "QZ330191", "东湖区人民政府", DepartmentKind.district_government, "330191"
            ),
        )
    case = city.create(
        category_code=LITTER, title="暴露垃圾", description="路边有垃圾堆", area_code=place
    )
    assert case["suggested_department"]["code"] == office
    assert (
        city.act("disp", city.act("op", case, "register"), "dispatch")["department"]["code"]
        == office
    )


def test_approved_extension_moves_the_deadline(city: City) -> None:
    case = city.act("op", city.create(), "register")
    case = city.act("h_cgj", city.act("disp", case, "dispatch"), "sign")
    before = datetime.fromisoformat(case["deadlines"]["handle"])
    case = city.act("h_cgj", case, "request_extension", hours=8, reason="需采购配件")
    assert case["pending_extension"] == {"amount": 8.0, "unit": "working_hours"}
    assert "request_extension" not in case["allowed_actions"]
    assert city.get("lead", case["id"])["allowed_actions"] == [
        "approve_extension",
        "deny_extension",
        "suspend",
    ]
    case = city.act("lead", case, "approve_extension", note="同意")
    after = datetime.fromisoformat(case["deadlines"]["handle"])
    assert after - before == timedelta(days=1)  # 8 working hours = one working day later
    assert datetime.fromisoformat(case["stage_deadline"]) == after
    assert case["extension_count"] == 1
    assert case["pending_extension"] is None
    case = city.act("h_cgj", case, "request_extension", amount=1, unit="working_days", reason="x")
    case = city.act("lead", case, "deny_extension")
    assert datetime.fromisoformat(case["deadlines"]["handle"]) == after


def test_suspend_and_resume_shift_the_deadline(city: City) -> None:
    case = city.act("op", city.create(), "register")
    case = city.act("h_cgj", city.act("disp", case, "dispatch"), "sign")
    before = datetime.fromisoformat(case["deadlines"]["handle"])
    case = city.act("lead", case, "suspend", reason="等待道路开挖许可")
    assert case["status"] == "suspended"
    city.platform.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    case = city.act("lead", case, "resume")
    assert case["status"] == "in_progress"
    assert datetime.fromisoformat(case["deadlines"]["handle"]) - before == timedelta(days=1)


def test_failed_verification_is_rework_then_reopen_after_unsatisfied(city: City) -> None:
    case = city.to_handled(city.create())
    case = city.act("disp", case, "verify", passed=False, note="灯仍不亮")
    assert (case["status"], case["rework_count"]) == ("in_progress", 1)
    case = city.act("h_cgj", case, "finish", note="已更换线路")
    case = city.act("insp", case, "verify", passed=True)
    assert case["status"] == "closed"
    case = city.act(
        "op",
        case,
        "evaluate",
        **UNSATISFIED_REOPEN,
    )
    assert (case["status"], case["reopen_count"], case["department"]["code"]) == (
        "in_progress",
        1,
        "CGJ",
    )
    actions = [h["action"] for h in city.history("op", case["id"])]
    assert actions.count("verify") == 2
    assert actions[-1] == "evaluate"


def test_inspector_self_handles_own_report(city: City) -> None:
    case = city.create(user="insp", source="inspector")
    assert "self_handle" in case["allowed_actions"]
    done = city.act(
        "insp",
        case,
        "self_handle",
        note="已当场处置",
        photos=["/media/2026/11/selfhandled-00000001.jpg"],
    )
    assert done["status"] == "closed"
    other = city.create(user="op", source="inspector")
    city.act("insp", other, "self_handle", expect=403)


def test_a_reopened_self_handled_report_goes_back_to_dispatch(city: City) -> None:
    """The inspector closed it themselves, so no department holds it: 重办 makes it a registered
    case that a dispatcher sends to the unit of the responsibility list."""
    case = city.create(user="insp", source="inspector")
    case = city.act(
        "insp",
        case,
        "self_handle",
        note="已当场处置",
        photos=["/media/2026/11/selfhandled-00000001.jpg"],
    )
    case = city.act(
        "op",
        case,
        "evaluate",
        **UNSATISFIED_REOPEN,
    )
    assert (case["status"], case["department"], case["stage"]) == ("registered", None, "dispatch")
    assert city.get("disp", case["id"])["allowed_actions"] == [
        "cancel",
        "merge",
        "dispatch",
        "supervise",
    ]
    case = city.act("disp", case, "dispatch")
    assert (case["status"], case["department"]["code"]) == ("dispatched", "CGJ")
    case = city.act("h_cgj", city.act("h_cgj", case, "sign"), "finish", note="已修复")
    assert city.act("disp", case, "verify", passed=True)["status"] == "closed"


def test_merge_and_supervise(city: City) -> None:
    first = city.act("op", city.create(), "register")
    dup = city.create()
    merged = city.act("disp", dup, "merge", into_case_id=first["id"], reason="重复上报")
    assert (merged["status"], merged["merged_into_id"]) == ("cancelled", first["id"])
    supervised = city.act("boss", first, "supervise", note="请加快处置")
    assert (supervised["status"], supervised["supervised"]) == ("registered", True)


@pytest.mark.parametrize("target_status", ["closed", "cancelled", "rejected"])
def test_merge_only_into_an_open_case(city: City, target_status: str) -> None:
    target = city.create()
    if target_status == "closed":
        target = city.to_handled(target)
        target = city.act("disp", target, "verify", passed=True)
    elif target_status == "cancelled":
        target = city.act("disp", target, "cancel", reason="误报")
    else:
        target = city.act("op", target, "reject", reason="不属于城市管理范围")
    assert target["status"] == target_status
    dup = city.create()
    before = city.snapshot()
    r = city.act("disp", dup, "merge", expect=422, into_case_id=target["id"], reason="重复")
    assert r["error"]["code"] == "merge_target_closed"
    assert target["number"] in r["error"]["message"]
    assert f"is {target_status}: merge into an open case" in r["error"]["message"]
    assert city.snapshot() == before
    assert city.get("disp", dup["id"])["status"] == "reported"


def test_case_lists_filter_and_sort(city: City) -> None:
    a = city.create()
    b = city.create(category_code=LITTER, title="垃圾", description="垃圾堆")
    city.act("op", b, "register")
    r = city.client.get(
        "/api/v1/cases",
        params={"status": ["registered", "dispatched"], "area": STREET},
        headers=city.auth("disp"),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["total"], [c["id"] for c in body["items"]]) == (1, [b["id"]])
    r = city.client.get(
        "/api/v1/cases", params={"category": "E90", "size": 1}, headers=city.auth("disp")
    )
    assert (r.json()["total"], len(r.json()["items"])) == (2, 1)
    r = city.client.get("/api/v1/cases", params={"q": "路灯"}, headers=city.auth("disp"))
    assert [c["id"] for c in r.json()["items"]] == [a["id"]]
    r = city.client.get(
        "/api/v1/cases",
        params={"from": "2026-11-24", "source": "hotline"},
        headers=city.auth("disp"),
    )
    assert r.json()["total"] == 0
    r = city.client.get("/api/v1/cases", params={"department": "CGJ"}, headers=city.auth("disp"))
    assert r.json()["total"] == 0


@pytest.mark.parametrize(
    ("fields", "ok"),
    [
        ({}, False),
        ({"note": "   "}, False),
        ({"photos": [""]}, False),
        ({"note": "已更换灯泡"}, True),
        ({"photos": ["/media/2026/11/lampafter-0000000001.jpg"]}, True),
    ],
)
def test_finish_needs_a_result(city: City, fields: dict[str, Any], ok: bool) -> None:
    case = city.act("disp", city.act("op", city.create(), "register"), "dispatch")
    case = city.act("h_cgj", case, "sign")
    before = city.snapshot()
    r = city.act("h_cgj", case, "finish", expect=200 if ok else 422, **fields)
    if ok:
        assert r["status"] == "handled"
    else:
        assert r["error"]["code"] == "result_required"
        assert "note" in r["error"]["message"]
        assert "photo" in r["error"]["message"]
        assert city.snapshot() == before


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"satisfaction": "satisfied"}, "contacted_required"),
        ({"contacted": True, "satisfaction": "satisfied"}, "resolved_required"),
        ({"contacted": True, "resolved": True}, "satisfaction_required"),
        ({"contacted": False, "satisfaction": "unsatisfied"}, "not_contacted"),
        ({"contacted": False, "resolved": False}, "not_contacted"),
    ],
)
def test_evaluate_fields_follow_the_visit(city: City, fields: dict[str, Any], code: str) -> None:
    closed = city.act("disp", city.to_handled(city.create()), "verify", passed=True)
    before = city.snapshot()
    r = city.act("op", closed, "evaluate", expect=422, **fields)
    assert r["error"]["code"] == code
    assert city.snapshot() == before


def test_an_unreached_visit_is_recorded_and_the_case_waits_for_the_next(city: City) -> None:
    closed = city.act("disp", city.to_handled(city.create()), "verify", passed=True)
    missed = city.act("op", closed, "evaluate", contacted=False, note="电话无人接听")
    assert (missed["status"], missed["satisfaction"], missed["evaluated_at"]) == (
        "closed",
        None,
        None,
    )
    assert "evaluate" in missed["allowed_actions"]
    line = city.history("op", closed["id"])[-1]
    assert (line["action"], line["data"]["contacted"], line["note"]) == (
        "evaluate",
        False,
        "电话无人接听",
    )
    reached = city.act(
        "op", missed, "evaluate", contacted=True, resolved=True, satisfaction="satisfied"
    )
    assert (reached["satisfaction"], "evaluate" in reached["allowed_actions"]) == (
        "satisfied",
        False,
    )


@pytest.mark.parametrize(
    ("window", "found"),
    [
        ({"from": "2026-11-23", "to": "2026-11-23"}, True),  # a day is counted whole
        ({"to": "2026-11-22"}, False),
        ({"to": "2026-11-23T09:00"}, False),  # a moment is exclusive (the case: 09:00)
        ({"to": "2026-11-23T09:00:01+08:00"}, True),
        ({"to": "2026-11-23T01:00:01Z"}, True),
        ({"from": "2026-11-24"}, False),
        ({"from": "20261123", "to": "20261123"}, True),  # days written without dashes
        ({"from": "20261124"}, False),  # not 20,261,124 seconds after 1970
        ({"from": "2026-11-23T09:00:01+08:00"}, False),
    ],
)
def test_the_to_filter_counts_a_whole_day(city: City, window: dict[str, str], found: bool) -> None:
    """The case list and its export read `to` as /indicators/cases does: a day is inclusive."""
    case = city.create()  # Monday 2026-11-23 09:00 in Shanghai (the test clock)
    listed = city.client.get("/api/v1/cases", params=window, headers=city.auth("op")).json()
    assert ([c["id"] for c in listed["items"]] == [case["id"]]) is found
    exported = city.client.get(
        "/api/v1/cases/export", params={"format": "csv", **window}, headers=city.auth("op")
    )
    assert (case["number"] in exported.text) is found


@pytest.mark.parametrize("name", ["from", "to"])
@pytest.mark.parametrize("value", ["tomorrow", "1700000000", "2026-13-01", "2026-11"])
def test_a_malformed_bound_is_a_422(city: City, name: str, value: str) -> None:
    r = city.client.get("/api/v1/cases", params={name: value}, headers=city.auth("op"))
    assert r.status_code == 422
    assert r.json()["error"]["code"] == f"invalid_{name}"
    assert "YYYY-MM-DD" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("params", "window"),
    [
        ({"from": "20261101", "to": "20261130"}, ("2026-11-01", "2026-11-30")),
        ({"from": "2026-11-01", "to": "2026-11-30"}, ("2026-11-01", "2026-11-30")),
    ],
)
def test_indicator_days_are_read_as_days(
    city: City, params: dict[str, str], window: tuple[str, str]
) -> None:
    r = city.client.get("/api/v1/indicators/cases", params=params, headers=city.auth("boss"))
    assert r.status_code == 200, r.text
    assert (r.json()["from"], r.json()["to"]) == window


@pytest.mark.parametrize("value", ["0", "1700000000", "2026-11-01T00:00:00", "next week"])
def test_an_indicator_day_that_is_not_a_day_is_a_422(city: City, value: str) -> None:
    r = city.client.get("/api/v1/indicators/cases", params={"to": value}, headers=city.auth("boss"))
    assert r.status_code == 422, r.text
    assert "query.to: Value error, must be a day such as 2026-11-30" in r.json()["error"]["message"]


def test_a_second_extension_request_says_one_is_pending(city: City) -> None:
    case = city.act("disp", city.act("op", city.create(), "register"), "dispatch")
    case = city.act("h_cgj", case, "sign")
    case = city.act("h_cgj", case, "request_extension", hours=4, reason="等配件")
    r = city.act("h_cgj", case, "request_extension", expect=409, hours=8, reason="再等等")
    assert r["error"]["code"] == "extension_pending"
    assert "an extension request (4 working_hours) is already pending" in r["error"]["message"]
