"""The hotline console in a real browser: an operator with 直派 rights takes a consultation,
sees the knowledge-base answer while typing and answers it on the spot (直接办结); the same
caller phones again about a broken street lamp, the console shows the earlier call, and the
operator dispatches it straight to the unit (直派). Screenshot: /tmp/shots/hotline.png."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.cases.public import CaseFilter
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser

from .conftest import CHROMIUM, PASSWORD, shoot, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
SHOTS = Path("/tmp/shots")
CALLER = "13912345678"


@pytest.fixture(scope="module")
def hotline_city(e2e_platform: Platform, seeded: dict[str, str]) -> Platform:
    """The seeded city, the default knowledge base and an operator with 直派 rights."""
    p = e2e_platform
    with p.uow() as uow:
        p.knowledge.load_defaults(uow, SYSTEM)
        p.org.create_user(
            uow,
            SYSTEM,
            NewUser(
                username="hot1",
                password=PASSWORD,
                roles=("operator", "dispatcher"),
                display_name="孙话务",
            ),
        )
    return p


def _history(platform: Platform, number: str) -> tuple[str, list[dict[str, Any]]]:
    with platform.read() as s:
        found = platform.cases.list_cases(s, SYSTEM, CaseFilter(q=number)).items
        case = found[0]
        lines = platform.cases.history(s, SYSTEM, case.id)
    return case.status.value, [{"action": e.action, **e.data} for e in lines]


def test_answer_a_consultation_then_dispatch_a_repeat_caller(
    new_page: NewPage, hotline_city: Platform
) -> None:
    page = new_page()
    sign_in(page, "hot1")
    page.get_by_role("link", name="热线受理台").click()
    page.wait_for_url(re.compile(r"/console/hotline$"))
    page.locator("#h-map path.leaflet-interactive").first.wait_for()
    expect(page.get_by_role("button", name="直派", exact=True)).to_be_enabled()

    # 1. a consultation: the knowledge base answers while the operator types
    page.get_by_label("来电号码").fill(CALLER)
    page.get_by_label("来电号码").press("Enter")
    expect(page.get_by_label("来电内容")).to_be_focused()
    expect(page.locator("#h-history")).to_contain_text("该号码没有以往诉求")
    page.get_by_label("诉求类型").select_option("consultation")
    page.get_by_label("来电内容").fill("您好，我想问一下租房的话公积金怎么提取？")
    hit = page.locator("#h-articles li[data-article=KB001]")
    hit.wait_for()
    expect(page.locator("#h-suggestions")).to_contain_text("暂无建议")  # no routing model here
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "hotline-knowledge.png"), full_page=True)
    hit.get_by_role("button").click()
    expect(page.get_by_label("答复内容（直接办结）")).to_have_value(re.compile("^购房、租房"))
    expect(page.locator("#h-article")).to_contain_text("KB001")
    page.locator("button[data-mode=answer]").click()
    receipt = page.locator("#h-receipt")
    expect(receipt).to_contain_text("已直接办结")
    answered = re.search(r"C\d{14}", receipt.inner_text())
    assert answered is not None
    status, lines = _history(hotline_city, answered.group())
    assert status == "closed"
    assert lines[-1]["action"] == "answer"
    assert lines[-1]["article_code"] == "KB001"

    # 2. the same caller again: the form is clear, the earlier call shows; a broken lamp is
    # dispatched directly
    expect(page.get_by_label("来电号码")).to_be_focused()
    for box in ("来电号码", "来电内容", "答复内容（直接办结）"):
        expect(page.get_by_label(box)).to_have_value("")
    expect(page.locator("#h-article")).to_have_text("")
    page.get_by_label("来电号码").fill(CALLER)
    page.get_by_label("来电号码").press("Enter")
    expect(page.locator("#h-history")).to_contain_text(answered.group())
    expect(page.locator("#h-history .status")).to_have_text("结案")
    page.get_by_label("诉求类型").select_option("complaint")
    page.get_by_label("来电内容").fill("湖滨路口的路灯坏了好几天，晚上一片漆黑，行人容易摔倒。")
    page.get_by_label("搜索案件类别").fill("路灯不亮")
    page.locator("#h-category option[value=A1103]").wait_for(state="attached")
    page.get_by_label("案件类别", exact=True).select_option("A1103")
    box = page.locator("#h-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.45)
    page.locator("#h-chain .chain-part").nth(2).wait_for()
    expect(page.locator("#h-similar")).to_contain_text("附近没有相似的在办案件")
    page.get_by_label("地址", exact=True).fill("湖滨路口")
    page.screenshot(path=str(SHOTS / "hotline.png"), full_page=True)
    shoot(page, "12-hotline-call")
    page.get_by_role("button", name="直派", exact=True).click()
    expect(receipt).to_contain_text("已直派")
    dispatched = re.search(r"C\d{14}", receipt.inner_text())
    assert dispatched is not None
    status, lines = _history(hotline_city, dispatched.group())
    assert status == "dispatched"
    assert [line["action"] for line in lines] == ["report", "register", "dispatch"]
    assert lines[-1]["department_code"] == "CGJ"
    shoot(page, "13-hotline-dispatched")

    # 3. the console in English
    page.get_by_role("button", name="切换到英文界面").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    expect(page.get_by_role("heading", name="Hotline console")).to_be_visible()
    expect(page.get_by_role("button", name="Answer on the spot", exact=True)).to_be_visible()


def test_a_plain_operator_cannot_direct_dispatch(new_page: NewPage, hotline_city: Platform) -> None:
    page = new_page()
    sign_in(page, "op1")
    page.goto("/console/hotline")
    expect(page.get_by_role("button", name="直接办结", exact=True)).to_be_enabled()
    expect(page.get_by_role("button", name="直派", exact=True)).to_be_disabled()
