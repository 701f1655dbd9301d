"""The 热点诉求 page in a real browser: five hotline appeals, three of them the same night-time
construction noise near one estate from three callers; a dispatcher opens the page and sees that
issue first with its count, callers, place and the cases behind it linked — at 1920 and 390 px,
in Chinese and English, with no sideways overflow on the phone. Screenshots:
/tmp/shots/hot_issues/*.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from cityops.app import Platform

from .conftest import CHROMIUM, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
SHOTS = Path("/tmp/shots/hot_issues")
GRID = "330191001001001"
APPEALS = [
    ("工地夜间施工噪音扰民", "滨江花园旁的工地每天夜里十二点后还在施工，噪音很大，无法入睡"),
    ("夜间施工噪音太大", "滨江花园附近工地深夜施工，电钻声音扰民，请管一管"),
    ("工地半夜施工扰民", "滨江花园小区对面工地凌晨还在打桩，噪音严重影响休息"),
    ("路灯不亮", "湖滨路口的路灯已经坏了一周，晚上很黑"),
    ("井盖缺失", "文三路上一个井盖不见了，很危险"),
]


@pytest.fixture(scope="module")
def appeals(e2e_platform: Platform, seeded: dict[str, str], live_server: str) -> list[int]:
    with e2e_platform.read() as s:
        token = e2e_platform.org.access_token_for_user(s, "op1").access_token
    ids = []
    with httpx.Client(base_url=live_server, timeout=10) as http:
        for i, (title, text) in enumerate(APPEALS):
            r = http.post(
                "/api/v1/cases",
                json={
                    "source": "hotline",
                    "title": title,
                    "description": text,
                    "area_code": GRID,
                    "category_code": "A1103",
                    "reporter_phone": f"1391234500{i}",
                },
                headers={"Authorization": f"Bearer {token}"},
            )
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
    return ids


@pytest.mark.parametrize(("width", "lang"), [(1920, "zh-CN"), (390, "zh-CN"), (390, "en")])
def test_the_hottest_issue_comes_first_with_its_cases(
    new_page: NewPage, appeals: list[int], width: int, lang: str
) -> None:
    page = new_page(lang)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "disp1")
    page.goto("/console/hot-issues")
    first = page.locator(".hot-issue").first
    expect(first).to_be_visible()
    expect(first.locator(".hot-rank")).to_have_text("1")
    expect(first.locator(".hot-facts")).to_contain_text("3")
    links = first.locator(".hot-members a")
    first.locator(".hot-members summary").click()
    expect(links).to_have_count(3)
    hrefs = {links.nth(i).get_attribute("href") for i in range(3)}
    assert hrefs == {f"/cases/{i}" for i in appeals[:3]}
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"hot_issues_{width}_{lang}.png"), full_page=True)
