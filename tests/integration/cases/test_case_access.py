"""Scope, masking and refusals through HTTP: a case outside one's scope is 404; phones are masked
unless revealed (and the reveal is audited); every bad request is a clear 4xx that leaves the
database exactly as it was."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from cityops.cases.public import ActionCommand, CaseAction
from cityops.kernel.actor import SYSTEM
from cityops.kernel.errors import StaleVersion
from cityops.org.public import NewUser, UserUpdate

from .conftest import GRID, OTHER_GRID, OTHER_STREET, STREET, City


def test_handler_of_another_department_gets_404(city: City) -> None:
    case = city.act("disp", city.act("op", city.create(), "register"), "dispatch")
    assert city.get("h_cgj", case["id"])["department"]["code"] == "CGJ"
    err = city.get("h_water", case["id"], expect=404)
    assert err["error"]["code"] == "case_not_found"
    r = city.client.get(f"/api/v1/cases/{case['id']}/history", headers=city.auth("h_water"))
    assert r.status_code == 404
    city.act("h_water", case, "sign", expect=404)
    listed = city.client.get("/api/v1/cases", headers=city.auth("h_water")).json()
    assert listed["total"] == 0
    listed = city.client.get("/api/v1/cases", headers=city.auth("h_cgj")).json()
    assert [c["id"] for c in listed["items"]] == [case["id"]]


def test_street_office_sees_the_cases_of_its_street(city: City) -> None:
    here = city.create(area_code=GRID)
    there = city.create(area_code=OTHER_GRID)
    assert city.get("h_street", here["id"])["allowed_actions"] == []
    city.get("h_street", there["id"], expect=404)
    city.get("h_water", here["id"], expect=404)


def _move(city: City, username: str, *areas: str) -> None:
    """Give a user other areas (an inspector moved to another street)."""
    with city.platform.uow() as uow:
        user_id = city.platform.org.actor_for_user(uow.session, username).user_id
        assert user_id is not None
        city.platform.org.update_user(uow, SYSTEM, user_id, UserUpdate(area_codes=areas))


def test_inspector_sees_own_grid_and_own_reports(city: City) -> None:
    here = city.create(area_code=GRID)
    there = city.create(area_code=OTHER_GRID)
    _move(city, "insp", OTHER_STREET)  # reports there, then moves back to 湖滨
    own_there = city.create(user="insp", source="inspector", area_code=OTHER_GRID)
    _move(city, "insp", STREET)
    seen = city.client.get("/api/v1/cases", headers=city.auth("insp")).json()
    assert {c["id"] for c in seen["items"]} == {here["id"], own_there["id"]}
    city.get("insp", there["id"], expect=404)
    seen_west = city.client.get("/api/v1/cases", headers=city.auth("insp_west")).json()
    assert {c["id"] for c in seen_west["items"]} == {there["id"], own_there["id"]}


@pytest.mark.parametrize("user", ["insp", "disp_hubin", "op_hubin"])
@pytest.mark.parametrize("where", ["area_code", "point"])
def test_area_bound_staff_report_only_in_their_areas(city: City, user: str, where: str) -> None:
    """The inspector of 湖滨 and the centre staff bound to 湖滨 file 湖滨's cases only (a case
    they could not see afterwards is refused); city-wide staff file anywhere."""
    _bind(city)
    source = "inspector" if user == "insp" else "hotline"
    lon, lat = city.point_in(OTHER_GRID)
    place: dict[str, Any] = (
        {"area_code": OTHER_GRID}
        if where == "area_code"
        else {"area_code": None, "lon": lon, "lat": lat}
    )
    before = city.snapshot()
    body = {
        "source": source,
        "title": "路灯不亮",
        "description": "路灯晚上不亮",
        "category_code": "E9001",
        **place,
    }
    body = {k: v for k, v in body.items() if v is not None}
    r = _post(city, "/api/v1/cases", user, json=body)
    assert r.status_code == 403, r.text
    error = r.json()["error"]
    assert error["code"] == "outside_your_areas"
    assert error["details"]["area_code"].startswith(OTHER_STREET)
    assert error["details"]["area_name"] in error["message"]
    assert STREET in error["message"]
    assert city.snapshot() == before
    inside = city.create(user=user, source=source, area_code=GRID)
    assert city.get(user, inside["id"])["id"] == inside["id"]
    assert city.create(user="op", area_code=OTHER_GRID)["area_code"] == OTHER_GRID  # city-wide


def test_a_moved_inspector_no_longer_self_handles_a_report_of_the_old_street(city: City) -> None:
    case = city.create(user="insp", source="inspector", area_code=GRID)
    _move(city, "insp", OTHER_STREET)
    view = city.get("insp", case["id"])  # still theirs to see: their own report
    assert "self_handle" not in view["allowed_actions"]
    r = city.act("insp", view, "self_handle", expect=403, note="已处置")
    assert r["error"]["code"] == "outside_your_areas"
    _move(city, "insp", STREET)
    assert city.act("insp", view, "self_handle", note="已处置")["status"] == "closed"


def _bind(city: City) -> None:
    """Centre staff bound to 湖滨 only."""
    with city.platform.uow() as uow:
        for username, role in [("disp_hubin", "dispatcher"), ("op_hubin", "operator")]:
            city.platform.org.create_user(
                uow,
                SYSTEM,
                NewUser(
                    username=username,
                    password="correct horse battery",
                    roles=(role,),
                    area_codes=(STREET,),
                ),
            )


def test_roles_without_case_access(city: City) -> None:
    case = city.create()
    r = city.client.get("/api/v1/cases", headers=city.auth("cit"))
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "cannot_read_cases"
    assert city.client.get(f"/api/v1/cases/{case['id']}").status_code == 401


def test_phone_masked_and_reveal_audited(city: City) -> None:
    case = city.create()
    assert city.get("disp", case["id"])["reporter_phone"] == "138****5678"
    revealed = city.get("disp", case["id"], reveal="contact")
    assert revealed["reporter_phone"] == "13812345678"
    audit = [h for h in city.history("disp", case["id"]) if h["action"] == "reveal_contact"]
    assert len(audit) == 1
    assert (audit[0]["actor_name"], audit[0]["actor_role"]) == ("disp", "dispatcher")
    assert city.get("disp", case["id"])["version"] == case["version"]  # no workflow change
    err = city.get("boss", case["id"], expect=403, reveal="contact")
    assert err["error"]["code"] == "cannot_reveal_contact"
    city.act("op", case, "register")  # the audit line did not make the version stale
    dispatched = city.act("disp", city.get("disp", case["id"]), "dispatch")
    assert city.get("h_cgj", dispatched["id"], reveal="contact")["reporter_phone"] == "13812345678"
    listed = city.client.get("/api/v1/cases", headers=city.auth("op")).json()
    assert listed["items"][0]["reporter_phone"] == "138****5678"


def test_two_dispatchers_race_with_the_same_version(city: City) -> None:
    case = city.act("op", city.create(), "register")
    first = city.act("disp", case, "dispatch", department_code="CGJ")
    err = city.act("disp2", case, "dispatch", expect=409, department_code="SWJ")
    assert err["error"]["code"] == "stale_version"
    assert f"the current version is {first['version']}" in err["error"]["message"]
    assert city.get("disp", case["id"])["department"]["code"] == "CGJ"


def test_concurrent_actions_one_wins(city: City) -> None:
    case = city.act("op", city.create(), "register")
    platform = city.platform
    outcomes: list[str] = []
    lock = threading.Lock()

    def dispatch(username: str, dept: str) -> None:
        with platform.read() as s:
            actor = platform.org.actor_for_user(s, username)
        cmd = ActionCommand(version=case["version"], department_code=dept)
        try:
            with platform.uow() as uow:
                platform.cases.act(uow, actor, case["id"], CaseAction.dispatch, cmd)
            result = "ok"
        except StaleVersion:
            result = "stale"
        with lock:
            outcomes.append(result)

    threads = [
        threading.Thread(target=dispatch, args=("disp", "CGJ")),
        threading.Thread(target=dispatch, args=("disp2", "SWJ")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "stale"]
    history = city.history("disp", case["id"])
    assert [h["action"] for h in history].count("dispatch") == 1


def _post(city: City, url: str, user: str, **kw: Any) -> Any:
    return city.client.post(url, headers=city.auth(user), **kw)


BAD_CREATES: list[tuple[str, str, dict[str, Any], int, str]] = [
    ("unknown category", "op", {"category_code": "E9999"}, 422, "unknown_category"),
    ("missing title", "op", {"title": None}, 422, "invalid_request"),
    ("empty description", "op", {"description": "  "}, 422, "description_required"),
    ("outside the city", "op", {"lon": 116.4, "lat": 39.9, "area_code": None}, 422, "outside_city"),
    ("no place", "op", {"area_code": None}, 422, "location_required"),
    ("unknown area", "op", {"area_code": "999999"}, 422, "unknown_area"),
    ("bad phone", "op", {"reporter_phone": "12345"}, 422, "invalid_phone"),
    ("unknown field", "op", {"colour": "red"}, 422, "invalid_request"),
    ("bad source", "op", {"source": "pigeon"}, 422, "invalid_request"),
    ("wrong role", "h_cgj", {}, 403, "cannot_create_case"),
]


@pytest.mark.parametrize(
    ("user", "fields", "status", "code"),
    [c[1:] for c in BAD_CREATES],
    ids=[c[0] for c in BAD_CREATES],
)
def test_bad_creates_change_nothing(
    city: City, user: str, fields: dict[str, Any], status: int, code: str
) -> None:
    body: dict[str, Any] = {
        "source": "hotline",
        "title": "路灯不亮",
        "description": "不亮",
        "category_code": "E9001",
        "area_code": GRID,
        "reporter_phone": "13812345678",
    }
    body.update(fields)
    body = {k: v for k, v in body.items() if v is not None}
    before = city.snapshot()
    r = _post(city, "/api/v1/cases", user, json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert r.json()["error"]["message"]
    assert city.snapshot() == before


BAD_ACTIONS: list[tuple[str, str, str, dict[str, Any], int, str]] = [
    ("illegal transition", "disp", "verify", {"passed": True}, 409, "invalid_transition"),
    ("wrong role", "op", "dispatch", {}, 403, "role_not_allowed"),
    ("stale version", "disp", "dispatch", {"version": 1}, 409, "stale_version"),
    ("missing version", "disp", "dispatch", {"version": None}, 422, "invalid_request"),
    ("unknown action", "disp", "teleport", {}, 404, "unknown_action"),
    (
        "unknown department",
        "disp",
        "dispatch",
        {"department_code": "NOPE"},
        422,
        "unknown_department",
    ),
    ("cancel without reason", "disp", "cancel", {}, 422, "reason_required"),
    ("merge into itself", "disp", "merge", {"into_case_id": 1}, 422, "merge_into_self"),
    ("bad satisfaction", "op", "evaluate", {"satisfaction": "meh"}, 422, "invalid_request"),
]


@pytest.mark.parametrize(
    ("user", "action", "fields", "status", "code"),
    [c[1:] for c in BAD_ACTIONS],
    ids=[c[0] for c in BAD_ACTIONS],
)
def test_bad_actions_change_nothing(
    city: City, user: str, action: str, fields: dict[str, Any], status: int, code: str
) -> None:
    case = city.act("op", city.create(), "register")  # id 1, version 2, registered
    body: dict[str, Any] = {"version": case["version"], **fields}
    body = {k: v for k, v in body.items() if v is not None}
    before = city.snapshot()
    r = _post(city, f"/api/v1/cases/{case['id']}/actions/{action}", user, json=body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == code
    if code == "invalid_transition":
        assert error["details"]["allowed"] == ["cancel", "merge", "dispatch", "supervise"]
        assert "allowed now: cancel, merge, dispatch, supervise" in error["message"]
    if code == "unknown_action":
        assert "dispatch" in error["details"]["actions"]
    assert city.snapshot() == before


def test_malformed_and_oversized_bodies(city: City) -> None:
    before = city.snapshot()
    r = city.client.post(
        "/api/v1/cases",
        content=b"{not json",
        headers={**city.auth("op"), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    r = _post(
        city,
        "/api/v1/cases",
        "op",
        json={
            "source": "hotline",
            "title": "x",
            "description": "y" * 2_000_000,
            "category_code": "E9001",
            "area_code": GRID,
        },
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "body_too_large"
    assert city.snapshot() == before


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"size": 201}, "invalid_request"),
        ({"page": 0}, "invalid_request"),
        ({"status": "lost"}, "invalid_request"),
        ({"from": "yesterday"}, "invalid_from"),  # as `to`: test_case_flow
    ],
)
def test_bad_list_queries(city: City, params: dict[str, Any], code: str) -> None:
    r = city.client.get("/api/v1/cases", params=params, headers=city.auth("disp"))
    assert r.status_code == 422
    assert r.json()["error"]["code"] == code


@pytest.mark.parametrize(
    ("point_in", "area_code", "status"),
    [
        (OTHER_GRID, GRID, 422),  # the point lies in another street: a contradiction
        (GRID, OTHER_STREET, 422),
        (GRID, GRID, 201),
        (GRID, STREET, 201),  # an area above the point is no contradiction
        (GRID, "330191", 201),
    ],
)
def test_a_point_and_an_area_must_agree(
    city: City, point_in: str, area_code: str, status: int
) -> None:
    lon, lat = city.point_in(point_in)
    body = {
        "source": "hotline",
        "title": "路灯不亮",
        "description": "不亮",
        "category_code": "E9001",
        "lon": lon,
        "lat": lat,
        "area_code": area_code,
    }
    before = city.snapshot()
    r = _post(city, "/api/v1/cases", "op", json=body)
    assert r.status_code == status, r.text
    if status == 422:
        error = r.json()["error"]
        assert error["code"] == "area_point_mismatch"
        assert area_code in error["message"]
        assert error["details"]["located_area_code"].startswith(point_in[:9])
        assert city.snapshot() == before
    else:
        assert r.json()["area_code"] == GRID


def test_an_extension_is_asked_in_one_form(city: City) -> None:
    case = city.act("disp", city.act("op", city.create(), "register"), "dispatch")
    case = city.act("h_cgj", case, "sign")
    before = city.snapshot()
    r = city.act(
        "h_cgj",
        case,
        "request_extension",
        expect=422,
        hours=2,
        amount=3,
        unit="working_days",
        reason="等配件",
    )
    assert r["error"]["code"] == "extension_ambiguous"
    assert "hours" in r["error"]["message"]
    assert "amount and unit" in r["error"]["message"]
    assert city.snapshot() == before
    asked = city.act("h_cgj", case, "request_extension", amount=3, unit="working_days", reason="等")
    assert asked["pending_extension"] == {"amount": 3.0, "unit": "working_days"}


@pytest.mark.parametrize(
    ("q", "titles"),
    [
        ("%", ["完成率100%"]),
        ("_", ["A_B 井盖"]),
        ("100%", ["完成率100%"]),
        ("井盖", ["A_B 井盖", "AXB 井盖"]),
    ],
)
def test_search_words_are_taken_as_typed(city: City, q: str, titles: list[str]) -> None:
    for title in ("完成率100%", "A_B 井盖", "AXB 井盖", "路灯不亮"):
        city.create(title=title)
    r = city.client.get("/api/v1/cases", params={"q": q}, headers=city.auth("op"))
    assert sorted(c["title"] for c in r.json()["items"]) == sorted(titles)
