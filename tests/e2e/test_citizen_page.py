"""The 市民服务 console page in a real browser: a citizen submits an appeal on the portal with a
phone, staff take it to closed and the operator records the follow-up visit (回访); a shift leader
then sees the 三率 row of the handling department and the masked notifications in the outbox, and
the page in English. A handler gets no link and a plain refusal. Screenshot:
/tmp/shots/citizen.png."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import shapely.geometry
from playwright.sync_api import expect

from cityops.app import Platform

from .conftest import CHROMIUM, shoot, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
SHOTS = Path("/tmp/shots")
PHONE = "13912345678"
MASKED = "139****5678"
GRID = "330191001001001"  # a grid of 湖滨街道 in the generated demo city


def _auth(platform: Platform, user: str) -> dict[str, str]:
    with platform.read() as s:
        token = platform.org.access_token_for_user(s, user).access_token
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def visited_case(
    e2e_platform: Platform, seeded: dict[str, str], live_server: str
) -> dict[str, Any]:
    """A portal appeal with a phone, closed by staff and evaluated by the operator over HTTP;
    the relay drained so the outbox and the follow-up rows are written."""
    p = e2e_platform
    with p.read() as s:
        feature = p.geo.get_feature(s, GRID)
    point = shapely.geometry.shape(feature.geometry).representative_point()
    with httpx.Client(base_url=live_server, timeout=10) as http:
        r = http.post(
            "/api/v1/portal/appeals",
            data={
                "appeal_type": "complaint",
                "description": "湖滨路口的路灯晚上不亮，已经三天了",
                "category_code": "A1103",
                "lon": str(point.x),
                "lat": str(point.y),
                "address": "湖滨路 1 号",
                "phone": PHONE,
            },
        )
        assert r.status_code == 201, r.text
        code, number = r.json()["tracking_code"], r.json()["case_number"]
        found = http.get(
            "/api/v1/cases", params={"q": "路灯晚上不亮"}, headers=_auth(p, "op1")
        ).json()
        case = next(c for c in found["items"] if c["number"] == number)
        steps: list[tuple[str, str, dict[str, Any]]] = [
            ("op1", "register", {}),
            ("disp1", "dispatch", {"department_code": "SWJ"}),
            ("hand1", "sign", {}),
            ("hand1", "finish", {"note": "已更换灯泡"}),
            ("disp1", "verify", {"passed": True}),
            ("op1", "evaluate", {"contacted": True, "resolved": True, "satisfaction": "satisfied"}),
        ]
        for user, action, fields in steps:
            headers = _auth(p, user)
            current = http.get(f"/api/v1/cases/{case['id']}", headers=headers).json()
            r = http.post(
                f"/api/v1/cases/{case['id']}/actions/{action}",
                json={"version": current["version"], **fields},
                headers=headers,
            )
            assert r.status_code == 200, r.text
    p.relay.drain()
    return {"id": case["id"], "number": case["number"], "tracking_code": code}


def test_shift_leader_sees_three_rates_and_the_outbox(
    new_page: NewPage, visited_case: dict[str, Any]
) -> None:
    page = new_page()
    sign_in(page, "lead1")
    page.get_by_role("link", name="市民服务").click()
    page.wait_for_url(re.compile(r"/console/citizen$"))
    expect(page.get_by_role("heading", name="市民服务", level=1)).to_be_visible()

    # 三率: this month (the test clock's, 2026-11) by department; the one visit was a full score
    expect(page.get_by_label("月份")).to_have_value("2026-11")
    rates = page.locator("#rates-table table")
    expect(rates.locator("caption")).to_have_text("2026-11 三率，按承办单位")
    row = rates.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("th")).to_have_text("水务局")
    expect(row.locator("td")).to_have_text(
        ["100.00%", "100.00%", "100.00%", "100.00", "1", "1", "1", "1", "1", "1", "0", "0"]
    )
    expect(rates.locator("tfoot th")).to_have_text("合计")
    expect(page.locator("#rates-formulas")).to_contain_text("w = 0.9")
    expect(page.locator("#rates-formulas")).to_contain_text("0.1 × 响应率 + 0.5 × 解决率")

    # by street: the same visit lands in 湖滨街道
    page.get_by_label("统计口径").select_option("street")
    expect(rates.locator("caption")).to_have_text("2026-11 三率，按街道")
    expect(rates.locator("tbody th")).to_have_text(["湖滨街道"])
    # another month: the empty state in plain words
    page.get_by_label("月份").fill("2026-10")
    page.locator("#rates-form button[type=submit]").click()
    expect(page.locator("#rates-table")).to_have_text("2026-10 还没有回访记录，暂无三率可算。")
    page.get_by_label("月份").fill("2026-11")
    page.locator("#rates-form button[type=submit]").click()
    expect(rates.locator("tbody tr")).to_have_count(1)

    # the outbox: one notification per step, masked phone, the tracking code hidden (the
    # citizen's alone: it gives their rating)
    outbox = page.locator("#outbox-table table")
    expect(outbox.locator("tbody tr").first).to_be_visible()
    n = outbox.locator("tbody tr").count()
    assert n >= 5  # reported, registered, dispatched, handled, closed
    expect(page.locator("#outbox-count")).to_have_text(f"共 {n} 条通知")
    first = outbox.locator("tbody tr").first
    expect(first.locator("td").nth(0)).to_have_text("2026-11-23 09:00")  # Asia/Shanghai
    expect(first.get_by_role("link", name=visited_case["number"])).to_have_attribute(
        "href", f"/cases/{visited_case['id']}"
    )
    expect(first.locator("td").nth(2)).to_have_text("短信")
    expect(first.locator("td").nth(3)).to_have_text(MASKED)
    expect(first.locator("td").nth(4)).to_contain_text("查询码：****")
    assert visited_case["tracking_code"] not in page.content()
    expect(first.locator("td").nth(5)).to_have_text("已记录")
    assert PHONE not in page.content()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "citizen.png"), full_page=True)
    shoot(page, "citizen")

    # the status filter: nothing failed, said in plain words
    page.get_by_label("状态", exact=True).select_option("failed")
    expect(page.locator("#outbox-table")).to_have_text("没有状态为“发送失败”的通知。")
    expect(page.locator("#outbox-count")).to_have_text("共 0 条通知")
    page.get_by_label("状态", exact=True).select_option("")
    expect(outbox.locator("tbody tr")).to_have_count(n)

    # English
    page.get_by_role("button", name="切换到英文界面").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    expect(page.get_by_role("heading", name="Citizen service", level=1)).to_be_visible()
    expect(page.get_by_role("columnheader", name="Response rate")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Recipient")).to_be_visible()
    expect(rates.locator("tfoot th")).to_have_text("Total")
    expect(outbox.locator("tbody tr").first.locator("td").nth(5)).to_have_text("Recorded")
    shoot(page, "citizen-en")


def test_a_handler_gets_no_link_and_a_plain_refusal(
    new_page: NewPage, visited_case: dict[str, Any]
) -> None:
    page = new_page()
    sign_in(page, "hand1")
    expect(page.get_by_role("link", name="市民服务")).to_be_hidden()
    page.goto("/console/citizen")
    expect(page.locator("#rates-table .error")).to_contain_text("三率")
    # the refusals in the page's language (error.<code>), not the server's English
    expect(page.locator("#outbox-table .error")).to_have_text("您的角色不能查看通知记录。")
    assert PHONE not in page.content()
