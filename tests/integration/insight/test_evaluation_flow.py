"""The evaluation end to end: five cases driven through the HTTP workflow (tests/support/
case_city.py), then counted by the case engine, scored and drilled into through the API, and
exported to Excel. Every expected number is worked out by hand in the comments."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from case_city import LITTER, OTHER_GRID, OTHER_STREET, STREET, City, build_city
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from query_count import count_statements

from cityops.app import Platform
from cityops.insight.evaluation.config import load_config, parse_config
from cityops.insight.evaluation.periods import last_periods, parse_period
from cityops.insight.evaluation.service import EvaluationService
from cityops.kernel.clock import FixedClock

PERIOD = "2026-11"
ZERO_MINIMUM = dict.fromkeys(("street", "department", "operator", "dispatcher", "inspector"), 0)


@pytest.fixture
def city(platform: Platform, client: TestClient, clock: FixedClock) -> City:
    """On the test clock's Monday 2026-11-23, in the morning:
    A  lamp (hotline): op registers, disp dispatches to CGJ as listed, h_cgj finishes, insp
       verifies → closed; op's visit finds the citizen satisfied
    B  lamp: op registers, disp dispatches to SWJ, h_water returns it (回退), disp2 dispatches
       it to CGJ, h_cgj signs and asks for an extension, lead approves it
    C  litter in the other street: op rejects it (不予立案)
    D  lamp: op registers, disp dispatches to CGJ, h_cgj finishes, insp fails the check (返工),
       h_cgj finishes again, insp passes it → closed
    E  insp reports a lamp in their street (上报); op registers it three hours later, past the
       one working hour of the register stage
    """
    city = build_city(platform, client)
    platform.evaluation = EvaluationService(
        platform.cases,
        platform.clock,
        parse_config(
            {"min_volume": {**ZERO_MINIMUM, "shift_leader": 0, "handler": 0}}, load_config()
        ),
    )
    a = city.act("disp", city.act("op", city.create(), "register"), "dispatch")
    a = city.act("h_cgj", city.act("h_cgj", a, "sign"), "finish", note="已处置")
    a = city.act("insp", a, "verify", passed=True)
    city.act("op", a, "evaluate", contacted=True, resolved=True, satisfaction="satisfied")
    b = city.act("op", city.create(), "register")
    b = city.act("disp", b, "dispatch", department_code="SWJ")
    b = city.act("h_water", b, "return", reason="不属于本单位")
    b = city.act("disp2", b, "dispatch", department_code="CGJ")
    b = city.act("h_cgj", b, "sign")
    b = city.act("h_cgj", b, "request_extension", hours=8, reason="等配件")
    city.act("lead", b, "approve_extension")
    c = city.create(category_code=LITTER, area_code=OTHER_GRID)
    city.act("op", c, "reject", reason="不属于城管")
    d = city.act("disp", city.act("op", city.create(), "register"), "dispatch")
    d = city.act("h_cgj", city.act("h_cgj", d, "sign"), "finish", note="已处置")
    d = city.act("h_cgj", city.act("insp", d, "verify", passed=False), "finish", note="再处置")
    city.act("insp", d, "verify", passed=True)
    e = city.create("insp", source="inspector", reporter_name=None, reporter_phone=None)
    clock.set(clock.now() + timedelta(hours=3))
    city.act("op", e, "register")
    ids = {"A": a["id"], "B": b["id"], "C": c["id"], "D": d["id"], "E": e["id"]}
    city.ids = ids  # type: ignore[attr-defined]
    return city


def _user_id(platform: Platform, username: str) -> str:
    with platform.read() as s:
        return str(platform.org.actor_for_user(s, username).user_id)


def _scores(city: City, subject: str, view: str = "ranking", user: str = "boss") -> dict[str, Any]:
    r = city.client.get(
        "/api/v1/evaluation/scores",
        params={"subject": subject, "period": PERIOD, "view": view},
        headers=city.auth(user),
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _counts(city: City, subject: str, user: str = "boss") -> dict[str, dict[str, int]]:
    return {row["code"]: row["counts"] for row in _scores(city, subject, user=user)["rows"]}


def _drill(city: City, subject: str, code: str, count: str, user: str = "boss") -> list[int]:
    r = city.client.get(
        "/api/v1/evaluation/cases",
        params={"subject": subject, "code": code, "count": count, "period": PERIOD},
        headers=city.auth(user),
    )
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()["cases"]]


def test_street_and_department_counts(city: City) -> None:
    streets = _counts(city, "street")
    assert set(streets) == {STREET, OTHER_STREET}
    assert streets[STREET]["reported"] == 4  # A B D E
    assert streets[STREET]["registered"] == 4
    assert streets[STREET]["closed"] == 2  # A D
    assert streets[OTHER_STREET] | {} == {**streets[OTHER_STREET], "reported": 1, "registered": 0}
    cgj = _counts(city, "department")["CGJ"]  # A B D, and E listed for CGJ
    assert {k: cgj[k] for k in ("reported", "dispatched", "returned", "extended", "reworked")} == {
        "reported": 4,
        "dispatched": 3,  # A B D
        "returned": 1,  # B
        "extended": 1,  # B
        "reworked": 1,  # D
    }
    assert (cgj["due_to_handle"], cgj["handled_on_time"]) == (2, 2)  # A D; B's deadline ahead
    assert (cgj["evaluated"], cgj["satisfied"]) == (1, 1)  # A


def test_department_score_by_hand(city: City) -> None:
    body = _scores(city, "department")
    cgj = next(r for r in body["rows"] if r["code"] == "CGJ")
    # 按期处置率 2/2 → 100 (w30); 返工率 1/2 → 0 (limit 0.2, w20); 延期率 1/3 → 0 (w10);
    # 退回率 1/3 → 0 (w15); 满意率 1/1 → 100 (w25): (3000 + 2500) / 100 = 55 → E
    assert cgj["score"] == 55.0
    assert cgj["grade"] == "E"
    assert body["view"] == "ranking"
    assert body["periods"] == [PERIOD]


def test_post_counts(city: City, platform: Platform) -> None:
    op, disp, disp2 = (_user_id(platform, u) for u in ("op", "disp", "disp2"))
    insp, lead, h_cgj = (_user_id(platform, u) for u in ("insp", "lead", "h_cgj"))
    # op: registered A B D E and rejected C; E's register came after its deadline; A and D
    # are closed citizen cases that wait for a visit, A's visit is done
    assert _counts(city, "operator")[op] == {
        "accepted": 5,
        "accepted_on_time": 4,
        "visit_due": 2,
        "visited": 1,
    }
    dispatchers = _counts(city, "dispatcher")
    # disp: A, B (returned afterwards: not accurate), D; disp2: B again
    assert dispatchers[disp] == {
        "dispatched": 3,
        "dispatched_accurately": 2,
        "dispatched_on_time": 3,
    }
    assert dispatchers[disp2] == {
        "dispatched": 1,
        "dispatched_accurately": 1,
        "dispatched_on_time": 1,
    }
    # insp: reported E (registered: valid); verified A, D (failed), D again
    assert _counts(city, "inspector")[insp] == {
        "reports": 1,
        "reports_valid": 1,
        "verified": 3,
        "verified_on_time": 3,
    }
    assert _counts(city, "shift_leader")[lead] == {"decided": 1, "decided_in_time": 1}
    # h_cgj: finished A, D, D again; D's first finish failed its check; A was rated 满意
    assert _counts(city, "handler")[h_cgj] == {
        "finished": 3,
        "finished_on_time": 3,
        "finished_reworked": 1,
        "finished_evaluated": 1,
        "finished_satisfied": 1,
    }


def test_drill_down_matches_the_cases(city: City, platform: Platform) -> None:
    ids = city.ids  # type: ignore[attr-defined]
    assert _drill(city, "department", "CGJ", "returned") == [ids["B"]]
    assert _drill(city, "street", STREET, "closed") == sorted([ids["A"], ids["D"]])
    assert _drill(
        city, "dispatcher", _user_id(platform, "disp"), "dispatched_accurately"
    ) == sorted([ids["A"], ids["D"]])
    assert _drill(city, "handler", _user_id(platform, "h_cgj"), "finished_reworked") == [ids["D"]]
    assert _drill(city, "operator", _user_id(platform, "op"), "accepted_on_time") == sorted(
        [ids["A"], ids["B"], ids["C"], ids["D"]]
    )
    r = city.client.get(
        "/api/v1/evaluation/cases",
        params={"subject": "street", "code": STREET, "count": "nope", "period": PERIOD},
        headers=city.auth("boss"),
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_count"


def test_trend_view_and_periods(city: City) -> None:
    body = _scores(city, "street", view="trend")
    assert body["periods"] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", PERIOD]
    line = next(t for t in body["trend"] if t["code"] == STREET)
    assert line["scores"][:5] == [None] * 5
    assert line["scores"][5] is not None
    assert body["head"] == []
    assert body["tail"] == []


def test_a_handler_sees_their_department_only(city: City) -> None:
    assert set(_counts(city, "department", user="h_cgj")) == {"CGJ"}
    r = city.client.get(
        "/api/v1/evaluation/scores", params={"subject": "street"}, headers=city.auth("h_cgj")
    )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "evaluation_forbidden"


def test_statements_do_not_grow_with_the_periods(city: City, platform: Platform) -> None:
    """One statement per kind (two for inspectors) whatever the number of periods."""
    windows = [p.bounds() for p in last_periods(parse_period(PERIOD), 12)]
    with platform.read() as s:
        boss = platform.org.actor_for_user(s, "boss")
    for kind, statements in (("street", 1), ("department", 1), ("handler", 1), ("inspector", 2)):
        with platform.read() as s, count_statements(platform.engine) as counted:
            found = platform.cases.evaluation_counts(s, boss, kind=kind, windows=windows)
        assert found
        assert counted.count == statements, f"{kind}:\n{counted}"


def test_excel_export(city: City) -> None:
    r = city.client.get(
        "/api/v1/evaluation/export", params={"period": PERIOD}, headers=city.auth("boss")
    )
    assert r.status_code == 200, r.text
    assert 'filename="evaluation-2026-11.xlsx"' in r.headers["content-disposition"]
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["街道", "部门", "受理员", "派遣员", "监督员", "值班长", "承办人"]
    sheet = book["部门"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["排名", "编码", "名称", "得分", "等级", "考核量"]
    assert "按期处置率权重(30)" in header
    rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["CGJ"][3] == 55.0
    assert rows["CGJ"][4] == "E"
    assert rows["CGJ"][header.index("退回率")] == 0.3333
