"""The 绩效考核 console page in a real browser: three cases taken through the workflow over
HTTP, then a shift leader opens the page — the trend view by default (the setting), an ECharts
line per subject — switches to the ranking with its head and tail, sees the grades coloured and
opens the cases behind a number; the same at 1920 px and at 390 px. A handler sees only the
department and handler kinds. Screenshots: /tmp/shots/evaluation/*.png."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.insight.evaluation.config import load_config, parse_config
from cityops.insight.evaluation.service import EvaluationService

from .conftest import CHROMIUM, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
SHOTS = Path("/tmp/shots/evaluation")
GRID = "330191001001001"  # a grid of 湖滨街道 in the generated demo city
KINDS = ("street", "department", "operator", "dispatcher", "inspector", "shift_leader", "handler")


def _auth(platform: Platform, user: str) -> dict[str, str]:
    with platform.read() as s:
        token = platform.org.access_token_for_user(s, user).access_token
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def three_cases(e2e_platform: Platform, seeded: dict[str, str], live_server: str) -> list[int]:
    """Three lamp cases in 湖滨街道 dispatched to 水务局; two closed (one after a failed check),
    one left in progress. Every subject is rated (minimum volume 0) so the page has grades."""
    p = e2e_platform
    p.evaluation = EvaluationService(
        p.cases, p.clock, parse_config({"min_volume": dict.fromkeys(KINDS, 0)}, load_config())
    )
    ids = []
    with httpx.Client(base_url=live_server, timeout=10) as http:
        for n, fail_once in ((1, False), (2, True), (3, None)):
            body = {
                "source": "hotline",
                "title": f"路灯不亮 {n}",
                "description": "湖滨路口的路灯晚上不亮",
                "category_code": "A1103",
                "area_code": GRID,
                "reporter_phone": "13912345678",
            }
            r = http.post("/api/v1/cases", json=body, headers=_auth(p, "op1"))
            assert r.status_code == 201, r.text
            case_id = r.json()["id"]
            steps: list[tuple[str, str, dict[str, Any]]] = [
                ("op1", "register", {}),
                ("disp1", "dispatch", {"department_code": "SWJ"}),
                ("hand1", "sign", {}),
            ]
            if fail_once is not None:
                steps.append(("hand1", "finish", {"note": "已更换灯泡"}))
                if fail_once:
                    steps.append(("disp1", "verify", {"passed": False}))
                    steps.append(("hand1", "finish", {"note": "再次处置"}))
                steps.append(("disp1", "verify", {"passed": True}))
            for user, action, fields in steps:
                headers = _auth(p, user)
                current = http.get(f"/api/v1/cases/{case_id}", headers=headers).json()
                r = http.post(
                    f"/api/v1/cases/{case_id}/actions/{action}",
                    json={"version": current["version"], **fields},
                    headers=headers,
                )
                assert r.status_code == 200, r.text
            ids.append(case_id)
    return ids


@pytest.mark.parametrize("width", [1920, 390])
def test_shift_leader_trend_ranking_and_drill_down(
    new_page: NewPage, three_cases: list[int], width: int
) -> None:
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "lead1")
    page.goto("/console/evaluation")
    expect(page.get_by_role("heading", name="绩效考核", level=1)).to_be_visible()
    # the trend view by default: the chart drawn, no head and tail
    expect(page.locator("#ev-note")).to_contain_text("视图：趋势")
    expect(page.get_by_label("考核月份")).to_have_value("2026-11")  # the test clock's month
    expect(page.locator("#ev-trend canvas")).to_have_count(1)
    expect(page.locator("#ev-headtail")).to_be_hidden()
    table = page.locator("#ev-table table")
    expect(table.locator("tbody tr")).to_have_count(1)  # 湖滨街道
    expect(table.locator("tbody th")).to_have_text("湖滨街道")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"trend-{width}.png"), full_page=True)

    # departments in the ranking view: 水务局 first, graded, with head and tail lists
    page.get_by_label("考核对象").select_option("department")
    page.get_by_label("视图").select_option("ranking")
    page.locator("#ev-form button[type=submit]").click()
    expect(page.locator("#ev-note")).to_contain_text("视图：排名")
    expect(page.locator("#ev-headtail")).to_be_visible()
    row = table.locator("tbody tr").first
    expect(row.locator("th")).to_have_text("水务局")
    expect(row.locator(".grade")).to_have_text(re.compile(r"^[A-E]$"))
    expect(page.locator("#ev-head li")).to_have_count(1)
    expect(page.locator("#ev-tail li")).to_have_text("（暂无）")  # one department: head only
    page.screenshot(path=str(SHOTS / f"ranking-{width}.png"), full_page=True)

    # 返工数 of 水务局 is one case: the dialog lists it with a link to the case
    reworked = row.locator("button.num-link", has_text="1").first
    reworked.click()
    dialog = page.locator("#ev-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("a")).not_to_have_count(0)
    page.screenshot(path=str(SHOTS / f"drill-{width}.png"), full_page=False)
    dialog.get_by_role("button", name="关闭").click()
    expect(dialog).to_be_hidden()


def test_handler_sees_department_and_handler_kinds(
    new_page: NewPage, three_cases: list[int]
) -> None:
    page = new_page()
    sign_in(page, "hand1")
    page.goto("/console/evaluation")
    options = page.locator("#ev-subject option")
    expect(options).to_have_count(2)
    expect(page.locator("#ev-table table tbody th").first).to_have_text("水务局")
