"""The citizen portal in a real browser (mobile size): a citizen submits an appeal with a photo
and a map click and gets a tracking code; staff take the case to closed through the API; the
citizen follows it on the tracking page and rates it; the 适老 mode and the board render.
Screenshots: test-artifacts/screenshots/portal-*.png."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.kernel.clock import FixedClock

from .conftest import CHROMIUM, shoot

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
MOBILE = {"width": 390, "height": 844}
SCRIPT = "<script>alert(1)</script> 小区门口的路灯坏了三天"
PHONE = "13912345678"


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "street-lamp.jpg"
    img = Image.new("RGB", (320, 240), (40, 70, 120))
    out = io.BytesIO()
    img.save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def _staff_close(
    platform: Platform, base_url: str, code: str, steps_taken: slice = slice(None)
) -> None:
    """operator registers, dispatcher dispatches, handler signs and finishes, dispatcher
    verifies — each with their own bearer token, over HTTP (`steps_taken`: some of them)."""

    def token(user: str) -> dict[str, str]:
        with platform.read() as s:
            return {
                "Authorization": "Bearer "
                + platform.org.access_token_for_user(s, user).access_token
            }

    with httpx.Client(base_url=base_url, timeout=10) as http:
        found = http.get("/api/v1/cases", params={"q": "路灯坏了"}, headers=token("op1")).json()
        number = http.get(f"/api/v1/portal/track/{code}").json()["case_number"]  # staff never
        case_id = next(c["id"] for c in found["items"] if c["number"] == number)  # see the code
        steps: list[tuple[str, str, dict[str, Any]]] = [
            ("op1", "register", {}),
            ("disp1", "dispatch", {"department_code": "SWJ"}),
            ("hand1", "sign", {}),
            ("hand1", "finish", {"note": "已更换灯泡，夜间照明恢复"}),
            ("disp1", "verify", {"passed": True}),
        ]
        for user, action, fields in steps[steps_taken]:
            case = http.get(f"/api/v1/cases/{case_id}", headers=token(user)).json()
            r = http.post(
                f"/api/v1/cases/{case_id}/actions/{action}",
                json={"version": case["version"], **fields},
                headers=token(user),
            )
            assert r.status_code == 200, r.text


def test_citizen_submits_tracks_and_rates(
    new_page: NewPage,
    seeded: dict[str, str],
    e2e_platform: Platform,
    e2e_clock: FixedClock,
    live_server: str,
    tmp_path: Path,
) -> None:
    e2e_platform.portal.photos.root = tmp_path / "uploads"
    page = new_page()
    page.set_viewport_size(MOBILE)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # 1. the form: type, description, a click on the map, a photo, the phone
    page.goto("/portal")
    expect(page.get_by_role("heading", name="我要反映", level=1)).to_be_visible()
    page.locator(".leaflet-interactive").first.wait_for()
    page.get_by_text("投诉", exact=True).click()
    page.get_by_label("什么事？").fill(SCRIPT)
    page.locator("#a-map").click(position={"x": 195, "y": 150})
    expect(page.locator("#a-place")).to_contain_text("已选位置")
    page.get_by_label("照片（选填，最多 3 张）").set_input_files(str(_photo(tmp_path)))
    page.get_by_label("手机号", exact=True).fill(PHONE)
    shoot(page, "portal-submit")
    page.get_by_role("button", name="提交").click()

    # 2. the receipt: a tracking code
    receipt = page.locator("#receipt")
    expect(receipt).to_be_visible()
    code = page.locator("#r-code").inner_text().strip()
    assert len(code) >= 8
    expect(page.locator("#r-expected")).to_contain_text("前办结")
    shoot(page, "portal-receipt")
    told = re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page.locator("#r-expected").inner_text())
    assert told is not None

    # registered within minutes: the close deadline is projected again, earlier; the citizen's
    # expected time stays the one on the receipt
    e2e_clock.advance(timedelta(minutes=10))
    _staff_close(e2e_platform, live_server, code, slice(0, 1))

    # 3. tracking: the script is shown as text, nothing ran; no phone on the page
    page.get_by_role("link", name="查看办理进度").click()
    page.wait_for_url(f"**/portal/track/{code}")
    expect(page.locator("#t-description")).to_have_text(SCRIPT)
    expect(page.locator("#t-timeline li")).to_have_count(2)
    expect(page.locator("#t-facts")).to_contain_text(f"预计办结{told.group(0)}")
    expect(page.locator("#t-photos img")).to_have_count(1)
    assert PHONE not in page.content()
    assert PHONE[-4:] not in page.inner_text("body")
    shoot(page, "portal-track-received")

    # 4. staff take it to closed; the citizen reloads and sees every step
    _staff_close(e2e_platform, live_server, code, slice(1, None))
    page.reload()
    timeline = page.locator("#t-timeline li")
    expect(timeline).to_have_count(6)
    expect(timeline.first).to_contain_text("核查通过，已办结")
    expect(page.locator("#t-timeline")).to_contain_text("已派给水务局")
    expect(page.locator("#t-timeline")).to_contain_text("已更换灯泡")
    expect(page.locator("#t-phase")).to_have_text("已办结")
    assert "王水务" not in page.inner_text("body")  # no staff names

    # 5. the rating
    rate = page.locator("#t-rate")
    expect(rate).to_be_visible()
    rate.get_by_text("满意", exact=True).click()
    rate.get_by_label("想说的话（选填）").fill("修得很快，谢谢")
    shoot(page, "portal-rate")
    rate.get_by_role("button", name="提交评价").click()
    expect(page.locator(".p-ok")).to_have_text("谢谢您的评价！")
    expect(rate).to_be_hidden()
    expect(page.locator("#t-facts")).to_contain_text("满意")
    shoot(page, "portal-track-rated")
    assert dialogs == []


def _tab_to(page: Any, selector: str, most: int = 60) -> None:
    """Press Tab until the element has the focus: it is reachable by keyboard."""
    for _ in range(most):
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_a_keyboard_only_citizen_gives_the_place_from_the_list(
    new_page: NewPage, seeded: dict[str, str], e2e_platform: Platform, live_server: str
) -> None:
    """No mouse, no map, no geolocation: the street/community list gives the place."""
    page = new_page()
    page.set_viewport_size(MOBILE)
    page.goto("/portal")
    area = page.get_by_label("所在街道/社区")
    expect(area.locator("option")).not_to_have_count(1)  # the streets have loaded
    page.keyboard.press("Tab")
    _tab_to(page, "#a-description")
    page.keyboard.type("小区门口的路灯坏了三天，晚上很黑")
    _tab_to(page, "#a-area")
    page.keyboard.press("ArrowDown")  # 湖滨街道
    page.keyboard.press("ArrowDown")  # its first community
    expect(area).to_have_value("330191001001")
    expect(page.locator("#a-place")).to_contain_text("湖滨东园社区（大致位置）")
    _tab_to(page, "#a-phone")
    page.keyboard.type(PHONE)
    _tab_to(page, "#appeal button[type=submit]")
    shoot(page, "portal-keyboard")
    page.keyboard.press("Enter")

    expect(page.locator("#receipt")).to_be_visible()
    expect(page.locator("#receipt")).to_be_focused()
    expect(page.locator("#r-place")).to_contain_text("湖滨东园社区（按街道/社区大致确定）")
    shoot(page, "portal-keyboard-receipt")
    code = page.locator("#r-code").inner_text().strip()
    tracked = httpx.get(f"{live_server}/api/v1/portal/track/{code}", timeout=10).json()
    assert tracked["approximate"] is True
    assert tracked["street"] == "湖滨街道"


def test_elder_mode_and_board_render(new_page: NewPage, seeded: dict[str, str]) -> None:
    page = new_page()
    page.set_viewport_size(MOBILE)
    page.goto("/portal")
    page.get_by_role("button", name="大字模式").click()
    expect(page.locator("html")).to_have_class("elder")
    expect(page.get_by_role("button", name="标准模式")).to_have_attribute("aria-pressed", "true")
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 20
    expect(page.get_by_label("照片（选填，最多 3 张）")).to_be_hidden()  # the short flow
    expect(page.get_by_label("什么事？")).to_be_visible()
    shoot(page, "portal-elder")
    page.get_by_role("link", name="看板").click()  # the mode follows to the next page
    expect(page.locator("html")).to_have_class("elder")
    page.get_by_role("button", name="标准模式").click()
    expect(page.locator("#b-tiles .p-tile")).to_have_count(4)
    expect(page.locator("#b-dept")).to_contain_text("水务局")
    shoot(page, "portal-board")
    page.locator("#lang-toggle").click()
    expect(page.get_by_role("heading", name="Public board", level=1)).to_be_visible()
    shoot(page, "portal-board-en")
