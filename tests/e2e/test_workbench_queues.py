"""The workbench's queues in a real browser: the shift leader's 待审批延期, the handler's 返工/重办,
被退回 and 即将超期, a queue that pages and opens the case list with its filter (查看全部), the
case list sorted by clicking a column header, and the notice of a case that arrived while the
page was open. Screenshots at 1920 and 390 px, in Chinese and English."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.cases.public import ActionCommand, CaseAction, CaseSource, CaseView, NewCase

from .conftest import CHROMIUM, shoot, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
WATER = "C010102"  # 污水井盖: the responsibility list routes it to 水务局 (SWJ), hand1's


class Cases:
    """Cases made through the engine, as the seeded users."""

    def __init__(self, platform: Platform) -> None:
        self.p = platform

    def report(self, title: str = "污水井盖缺失") -> CaseView:
        with self.p.read() as session:
            operator = self.p.org.actor_for_user(session, "op1")
        with self.p.uow() as uow:
            return self.p.cases.create_case(
                uow,
                operator,
                NewCase(
                    source=CaseSource.hotline,
                    title=title,
                    description="市民来电反映井盖缺失，需要现场处理。",
                    category_code=WATER,
                    lon=120.1465,
                    lat=30.2530,
                    reporter_phone="13812341234",
                ),
            )

    def act(self, user: str, case: CaseView, action: str, **fields: Any) -> CaseView:
        with self.p.read() as session:
            actor = self.p.org.actor_for_user(session, user)
        with self.p.uow() as uow:
            return self.p.cases.act(
                uow, actor, case.id, CaseAction(action), ActionCommand(case.version, **fields)
            )

    def in_progress(self, title: str) -> CaseView:
        case = self.act("disp1", self.act("disp1", self.report(title), "register"), "dispatch")
        return self.act("hand1", case, "sign")


@pytest.fixture(scope="module")
def cases(e2e_platform: Platform, seeded: dict[str, str]) -> Cases:
    return Cases(e2e_platform)


WIDE = {"width": 1920, "height": 1080}


def queue(page: Any, title: str) -> Any:
    return page.locator("section.queue", has=page.get_by_role("heading", name=title))


def test_the_shift_leader_sees_the_extensions_to_approve(new_page: NewPage, cases: Cases) -> None:
    asked = cases.act(
        "hand1", cases.in_progress("延期的井盖"), "request_extension", hours=8, reason="等备件"
    )
    cases.in_progress("没有延期的井盖")
    page = new_page()
    page.set_viewport_size(WIDE)
    sign_in(page, "lead1")
    to_approve = queue(page, "待审批延期")
    expect(to_approve.get_by_role("link", name=asked.number)).to_be_visible()
    expect(to_approve.locator("tbody tr")).to_have_count(1)
    shoot(page, "queues-01-shift-leader-1920-zh")
    to_approve.get_by_role("link", name="查看全部").click()
    page.wait_for_url(re.compile(r"/cases\?.*extension=pending"))
    expect(page.locator("#queue-filters .chip")).to_have_text(re.compile("待审批延期"))
    expect(page.locator("#case-table tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name=asked.number)).to_be_visible()


def test_the_handler_sees_rework_and_returned_cases(new_page: NewPage, cases: Cases) -> None:
    handled = cases.act(
        "hand1",
        cases.in_progress("返工的井盖"),
        "finish",
        note="已更换",
        photos=["/media/2026/11/manhole-0000000001.jpg"],
    )
    reworked = cases.act("insp1", handled, "verify", passed=False)
    returned = cases.act("hand1", cases.in_progress("退回的井盖"), "return", reason="再核实")
    returned = cases.act("disp1", returned, "dispatch")
    page = new_page()
    page.set_viewport_size(WIDE)
    sign_in(page, "hand1")
    expect(queue(page, "返工/重办").get_by_role("link", name=reworked.number)).to_be_visible()
    expect(queue(page, "被退回").get_by_role("link", name=returned.number)).to_be_visible()
    expect(queue(page, "即将超期")).to_be_visible()
    shoot(page, "queues-02-handler-1920-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(queue(page, "返工/重办").locator("tbody tr")).to_have_count(1)
    shoot(page, "queues-03-handler-390-zh")


def test_a_queue_pages_and_opens_the_list_with_its_filter(new_page: NewPage, cases: Cases) -> None:
    for i in range(12):
        cases.report(f"分页的井盖 {i}")
    page = new_page("en")
    page.set_viewport_size(WIDE)
    sign_in(page, "disp1")
    to_register = queue(page, "To register")
    badge = to_register.locator(".count-badge")
    expect(badge).not_to_have_text("0")
    total = int(badge.inner_text())
    assert total >= 12
    expect(to_register.locator("tbody tr")).to_have_count(10)
    expect(to_register.locator(".queue-foot")).to_contain_text(f"1–10 of {total}")
    to_register.get_by_role("button", name="Next").click()
    expect(to_register.locator(".queue-foot")).to_contain_text(f"11–{min(20, total)} of {total}")
    expect(to_register.locator("tbody tr")).to_have_count(min(10, total - 10))
    shoot(page, "queues-04-dispatcher-paged-1920-en")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "queues-05-dispatcher-paged-390-en")
    to_register.get_by_role("link", name="View all").click()
    page.wait_for_url(re.compile(r"/cases\?status=reported$"))
    expect(page.locator("#result-count")).to_contain_text(str(total))


def test_the_case_list_sorts_by_a_clicked_column(new_page: NewPage, cases: Cases) -> None:
    cases.report("排序的井盖")
    page = new_page()
    page.set_viewport_size(WIDE)
    sign_in(page, "disp1")
    page.goto("/cases")
    page.locator("#case-table tbody tr").first.wait_for()
    page.locator("#case-table th").get_by_role("button", name="上报时间").click()
    page.wait_for_url(re.compile(r"sort=reported_at&order=asc"))
    expect(page.locator("#case-table th[aria-sort=ascending]")).to_contain_text("上报时间")

    def reported() -> list[str]:
        cells = page.locator("#case-table tbody td[data-label='上报时间']")
        return [c.strip() for c in cells.all_inner_texts()]

    expect(page.locator("#case-table th[aria-sort=ascending]")).to_be_visible()
    first = reported()
    assert first == sorted(first)
    page.locator("#case-table th").get_by_role("button", name="上报时间").click()
    page.wait_for_url(re.compile(r"sort=reported_at&order=desc"))
    expect(page.locator("#case-table th[aria-sort=descending]")).to_be_visible()
    second = reported()
    assert second == sorted(second, reverse=True)
    shoot(page, "queues-06-case-list-sorted-1920-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "queues-07-case-list-sorted-390-zh")


def test_a_case_created_meanwhile_is_announced(new_page: NewPage, cases: Cases) -> None:
    for i in range(12):  # enough to scroll
        cases.report(f"早先上报的井盖 {i}")
    page = new_page()
    page.set_viewport_size({"width": 1920, "height": 700})  # short: the page scrolls
    page.clock.install()
    sign_in(page, "disp1")
    to_register = queue(page, "待立案")
    to_register.locator("tbody tr").first.wait_for()
    expect(page.locator("#new-notice")).to_be_hidden()
    page.evaluate("window.scrollTo(0, 200)")
    where = "document.querySelectorAll('section.queue')[1].getBoundingClientRect().top"
    before = page.evaluate(where)
    new = cases.report("刚刚上报的井盖")
    page.clock.run_for(31_000)  # the next poll
    expect(page.locator("#new-notice")).to_have_text(re.compile("1 条新案件"))
    expect(to_register.locator("tbody tr.row-new")).to_have_count(1)
    row = to_register.locator("tbody tr.row-new")
    expect(row.get_by_role("link", name=new.number)).to_be_visible()
    # the page stays where the user was: the queue in view did not move on the screen
    assert abs(page.evaluate(where) - before) < 1
    shoot(page, "queues-08-new-case-notice-1920-zh", full_page=False)
    page.get_by_role("button", name="知道了").click()
    expect(page.locator("#new-notice")).to_be_hidden()
    expect(to_register.locator("tbody tr.row-new")).to_have_count(0)


def test_the_category_filter_takes_a_name(new_page: NewPage, cases: Cases) -> None:
    cases.report("按类别名称筛选的井盖")
    page = new_page()
    sign_in(page, "disp1")
    page.goto("/cases")
    page.locator("#case-table tbody tr").first.wait_for()
    page.get_by_label("类别", exact=True).fill("污水井盖")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(rf"category={WATER}"))
    expect(page.get_by_label("类别", exact=True)).to_have_value(f"污水井盖 {WATER}")
    categories = page.locator("#case-table tbody td[data-label='案件类别']").all_inner_texts()
    assert set(categories) == {"污水井盖"}
    page.get_by_label("类别", exact=True).fill("没有这种类别")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".flash-error")).to_contain_text("没有这种类别")
