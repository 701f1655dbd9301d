"""The closed loop in a real browser: an operator reports a case by clicking on the map, a
dispatcher registers and dispatches it, the handler signs for it and reports it handled, an
inspector verifies it and it closes; the detail page's timeline shows every step, and the
language switch turns the console into English. Screenshots: test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.cases.public import ActionCommand, CaseAction, CaseSource, NewCase
from cityops.kernel.clock import FixedClock

from .conftest import CHROMIUM, shoot, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]


def act(page: Any, action_label: str, fill: Callable[[Any], None] | None = None) -> None:
    """Open one action's form on the detail page, fill it, confirm, wait for the reload."""
    page.locator("#action-buttons").get_by_role("button", name=action_label, exact=True).click()
    form = page.locator("#action-panel form")
    if fill:
        fill(form)
    form.locator("button[type=submit]").click()
    page.locator(".flash-ok").wait_for()


def open_from_queue(page: Any, queue_title: str, number: str) -> None:
    queue = page.locator("section.queue", has=page.get_by_role("heading", name=queue_title))
    queue.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    page.locator("#case-fields dd").first.wait_for()


def status_chip(page: Any) -> Any:
    return page.locator("#case-chips .status")


def test_the_case_goes_round_the_loop(new_page: NewPage, seeded: dict[str, str]) -> None:
    # 1. the operator reports a case: category search, a click on the map, the area chain
    operator = new_page()
    sign_in(operator, "op1")
    operator.get_by_role("link", name="新建案件").click()
    operator.get_by_label("搜索案件类别").fill("污水井盖")
    operator.locator("#n-category option[value=C010102]").wait_for(state="attached")
    operator.get_by_label("案件类别", exact=True).select_option("C010102")
    operator.get_by_label("标题", exact=True).fill("人行道污水井盖缺失")
    operator.get_by_label("问题描述").fill("湖滨路口人行道上的污水井盖缺失，行人有坠落危险。")
    operator.get_by_label("地址", exact=True).fill("湖滨路 12 号门前")
    operator.get_by_label("联系电话").fill("13812341234")
    operator.locator("#new-map path.leaflet-interactive").first.wait_for()
    box = operator.locator("#new-map").bounding_box()
    operator.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.45)
    operator.locator("#n-chain .chain-part").nth(2).wait_for()
    chain = operator.locator("#n-chain").inner_text()
    assert [level in chain for level in ("区", "街道", "社区", "网格")] == [True] * 4
    assert operator.get_by_label("经度").input_value().startswith("120.")
    shoot(operator, "03-new-case-picked")
    operator.get_by_role("button", name="提交受理").click()
    operator.wait_for_url(re.compile(r"/cases/\d+$"))
    operator.locator("#case-chips .status").wait_for()
    expect(status_chip(operator)).to_have_text("受理")
    number = operator.locator("#case-fields dd").first.inner_text()
    case_url = operator.url

    # 2. the dispatcher registers it (立案) and dispatches it (派遣) to 水务局
    dispatcher = new_page()
    sign_in(dispatcher, "disp1")
    dispatcher.locator("section.queue").first.wait_for()
    shoot(dispatcher, "04-workbench-dispatcher")
    open_from_queue(dispatcher, "待立案", number)
    act(dispatcher, "立案")
    expect(status_chip(dispatcher)).to_have_text("立案")
    dispatcher.locator("#action-buttons").get_by_role("button", name="派遣", exact=True).click()
    department = dispatcher.locator("#action-panel").get_by_label("承办单位")
    assert department.locator("option:checked").inner_text() == "水务局"
    shoot(dispatcher, "05-dispatch-form")
    dispatcher.locator("#action-panel button[type=submit]").click()
    dispatcher.locator(".flash-ok").wait_for()
    expect(status_chip(dispatcher)).to_have_text("派遣")

    # 3. the handler of 水务局 signs for it (签收) and reports it handled (办结反馈)
    handler = new_page()
    sign_in(handler, "hand1")
    handler.locator("section.queue").first.wait_for()
    shoot(handler, "06-workbench-handler")
    open_from_queue(handler, "待签收", number)
    act(handler, "签收")
    expect(status_chip(handler)).to_have_text("处置中")
    act(
        handler, "办结反馈", lambda f: f.get_by_label("处置结果").fill("已更换新井盖并加装防坠网。")
    )
    expect(status_chip(handler)).to_have_text("已办结")

    # 4. the inspector of the grid verifies it (核查): passed → 结案
    inspector = new_page()
    sign_in(inspector, "insp1")
    inspector.locator("section.queue").first.wait_for()
    open_from_queue(inspector, "待核查", number)
    act(inspector, "核查", lambda f: f.get_by_label("是", exact=True).check())
    expect(status_chip(inspector)).to_have_text("结案")

    # 5. the timeline shows every step, in order
    operator.goto(case_url)
    operator.locator("#timeline .timeline-item").nth(5).wait_for()
    steps = operator.locator("#timeline .timeline-item .timeline-head strong").all_inner_texts()
    assert steps[:6] == ["受理", "立案", "派遣", "签收", "办结反馈", "核查"]
    timeline = operator.locator("#timeline").inner_text()
    for who in ("李受理", "张派遣", "王水务", "赵监督"):
        assert who in timeline
    assert "已更换新井盖并加装防坠网。" in timeline
    operator.locator(".leaflet-interactive").first.wait_for()
    shoot(operator, "07-case-closed-zh")

    # 6. the operator's 回访: the first call does not reach the citizen (only that is asked and
    # recorded; the case waits), the second does (resolved? satisfaction? asked only then)
    operator.locator("#action-buttons").get_by_role("button", name="评价回访", exact=True).click()
    form = operator.locator("#action-panel form")
    reached = form.get_by_role("group", name="已联系反映人")
    reached.get_by_label("否", exact=True).check()
    expect(form.get_by_role("group", name="问题已解决")).to_be_hidden()
    expect(form.get_by_label("满意度")).to_be_hidden()
    form.get_by_label("办理意见").fill("无人接听")
    form.locator("button[type=submit]").click()
    operator.locator(".flash-ok").wait_for()
    expect(status_chip(operator)).to_have_text("结案")
    operator.locator("#action-buttons").get_by_role("button", name="评价回访", exact=True).click()
    form = operator.locator("#action-panel form")
    form.get_by_role("group", name="已联系反映人").get_by_label("是", exact=True).check()
    form.get_by_role("group", name="问题已解决").get_by_label("是", exact=True).check()
    form.get_by_label("满意度").select_option("satisfied")
    shoot(operator, "07b-evaluate-form")
    form.locator("button[type=submit]").click()
    operator.locator(".flash-ok").wait_for()
    operator.locator("#timeline .timeline-item").nth(7).wait_for()
    visits = operator.locator("#timeline .timeline-item", has_text="评价回访").all_inner_texts()
    assert len(visits) == 2
    assert "无人接听" in visits[0]
    assert "满意度" not in visits[0]
    assert "重办" not in visits[0]
    assert "满意度：满意" in visits[1].replace(" ", "")

    # 6. the language switch turns the page into English and is remembered
    operator.get_by_role("button", name="切换到英文界面").click()
    operator.wait_for_function("document.documentElement.lang === 'en'")
    assert operator.get_by_role("heading", name="Timeline").is_visible()
    expect(status_chip(operator)).to_have_text("Closed")
    steps = operator.locator("#timeline .timeline-item .timeline-head strong").all_inner_texts()
    assert steps[:6] == ["Reported", "Register", "Dispatch", "Sign for", "Report handled", "Verify"]
    shoot(operator, "08-case-closed-en")
    operator.goto("/cases")
    operator.locator("#case-table table").wait_for()
    assert operator.get_by_role("heading", name="Cases", exact=True).is_visible()
    shoot(operator, "09-case-list-en")


def test_a_stale_action_shows_the_server_message(new_page: NewPage, seeded: dict[str, str]) -> None:
    """Two dispatchers open the same case; the second one's 立案 is a 409 and the page reloads."""
    first, second = new_page(), new_page()
    sign_in(first, "disp1")
    sign_in(second, "disp1")
    case_id = _report_case(first)
    for page in (first, second):
        page.goto(f"/cases/{case_id}")
        page.locator("#action-buttons [data-action=register]").wait_for()
    act(first, "立案")
    second.locator("#action-buttons").get_by_role("button", name="立案", exact=True).click()
    second.locator("#action-panel button[type=submit]").click()
    second.locator(".flash-error").wait_for()
    expect(status_chip(second)).to_have_text(
        "立案"
    )  # reloaded: shows what the first dispatcher did
    assert second.locator("#action-buttons [data-action=register]").count() == 0


# (minutes before now, category, lon, lat, actions by the dispatcher): an overdue case, one due
# soon (an urgent lift fault with half-hour limits), and a few fresh ones at different stages
TRAFFIC = [
    (3 * 24 * 60, "E010101", 120.1235, 30.2535, ()),
    (2 * 24 * 60, "A010105", 120.1420, 30.2580, ("register",)),
    (26, "A010104", 120.1330, 30.2600, ()),
    (20, "E010102", 120.1465, 30.2530, ("register", "dispatch")),
    (5, "C010101", 120.1380, 30.2620, ("register",)),
    (1, "A010101", 120.1280, 30.2615, ()),
]


@pytest.fixture(scope="module")
def traffic(e2e_platform: Platform, e2e_clock: FixedClock, seeded: dict[str, str]) -> int:
    """A few more cases reported earlier, so the map and list show every SLA colour."""
    now = e2e_clock.now()
    p = e2e_platform
    with p.read() as session:
        operator = p.org.actor_for_user(session, "op1")
        dispatcher = p.org.actor_for_user(session, "disp1")
    try:
        for minutes, category, lon, lat, actions in TRAFFIC:
            e2e_clock.set(now - timedelta(minutes=minutes))
            with p.uow() as uow:
                view = p.cases.create_case(
                    uow,
                    operator,
                    NewCase(
                        source=CaseSource.hotline,
                        title=f"市民反映：{category}",
                        description="市民来电反映的问题，需要现场核实处理。",
                        category_code=category,
                        lon=lon,
                        lat=lat,
                    ),
                )
            for action in actions:
                with p.uow() as uow:
                    view = p.cases.act(
                        uow, dispatcher, view.id, CaseAction(action), ActionCommand(view.version)
                    )
    finally:
        e2e_clock.set(now)
    return len(TRAFFIC)


def test_case_map_and_list(new_page: NewPage, traffic: int) -> None:
    page = new_page()
    sign_in(page, "lead1")
    page.get_by_role("link", name="案件地图").click()
    page.locator("#city-map path.leaflet-interactive").first.wait_for()
    page.get_by_label("区域层级").select_option("grid")
    page.wait_for_function(
        "document.querySelectorAll('#city-map path.leaflet-interactive').length >= 72"
    )
    page.get_by_label("案件范围").select_option("all")
    page.locator("#map-list li").nth(traffic).wait_for()
    for state in ("正常", "临期", "超期"):
        assert page.locator("#map-list .chip", has_text=state).count() >= 1, state
    shoot(page, "10-case-map", full_page=False)
    page.get_by_role("link", name="案件列表").click()
    page.locator("#case-table table").wait_for()
    page.get_by_label("状态").select_option("closed")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"status=closed"))
    # the table of the unfiltered list stays until the filtered one arrives: wait for it
    page.wait_for_function(
        """() => {
          const cells = [...document.querySelectorAll('#case-table tbody .status')];
          return cells.length > 0 && cells.every((c) => c.textContent.trim() === '结案');
        }"""
    )
    statuses = page.locator("#case-table tbody .status").all_inner_texts()
    assert statuses
    assert set(statuses) == {"结案"}
    shoot(page, "11-case-list-closed")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 CSV").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    exported = Path(download.path()).read_text("utf-8-sig")
    assert page.locator("#case-table tbody .case-link").first.inner_text() in exported


def _report_case(page: Any) -> int:
    """File a case through the API with the page's own session (the loop test covers the
    form): the session cookie goes by itself, the CSRF cookie's value in X-CSRF-Token."""
    created: dict[str, Any] = page.evaluate(
        """async () => {
          const csrf = document.cookie.split('; ').find((c) => c.startsWith('cityops_csrf='));
          const res = await fetch('/api/v1/cases', {method: 'POST', headers: {
            'X-CSRF-Token': csrf.split('=')[1],
            'Content-Type': 'application/json'}, body: JSON.stringify({
              source: 'hotline', title: '路灯不亮', description: '小区门口路灯连续三晚不亮',
              category_code: 'C010102', lon: 120.125, lat: 30.252})});
          return res.json();
        }"""
    )
    case_id: int = created["id"]
    return case_id
