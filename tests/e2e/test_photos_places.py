"""Phones, photos and places in a real browser (issue 14, section 4): an operator reveals a
masked phone (audited in the history; a role without the right sees no button), the handler
uploads a result photo at 办结 and it shows as a thumbnail that opens the viewer, an inspector
reports with a photo, the new-case form marks its required fields in Chinese and clears each
message once the field is put right, finds a parent category's children, takes the device's
location, and nothing runs off a 390 px phone screen. Screenshots at 1920 and 390 px, zh and en:
test-artifacts/screenshots/photos-*.png."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.cases.public import ActionCommand, CaseAction, CaseSource, NewCase

from .conftest import CHROMIUM, PASSWORD, shoot, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
PHONE = "13812341234"
HUBIN = {"longitude": 120.125, "latitude": 30.252}  # inside 湖滨街道 of the demo city
PHONE_SCREEN: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="module")
def photo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("photos") / "现场.jpg"
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 130, 200)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture(scope="module")
def uploads(e2e_platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("uploads")
    e2e_platform.portal.photos.root = root
    return root


@pytest.fixture(scope="module")
def in_progress(e2e_platform: Platform, seeded: dict[str, str], uploads: Path) -> int:
    """A case with the reporter's phone, dispatched to 水务局 and signed for by its handler."""
    p = e2e_platform
    with p.read() as session:
        operator = p.org.actor_for_user(session, "op1")
        dispatcher = p.org.actor_for_user(session, "disp1")
        handler = p.org.actor_for_user(session, "hand1")
    with p.uow() as uow:
        view = p.cases.create_case(
            uow,
            operator,
            NewCase(
                source=CaseSource.hotline,
                title="小区门口污水外溢",
                description="小区门口污水井外溢，味道很大，请尽快处理。",
                category_code="C010102",
                lon=HUBIN["longitude"],
                lat=HUBIN["latitude"],
                reporter_phone=PHONE,
            ),
        )
    steps = [
        (dispatcher, CaseAction.register, {}),
        (dispatcher, CaseAction.dispatch, {"department_code": "SWJ"}),
        (handler, CaseAction.sign, {}),
    ]
    for actor, action, fields in steps:
        with p.uow() as uow:
            view = p.cases.act(uow, actor, view.id, action, ActionCommand(view.version, **fields))
    return view.id


@pytest.fixture
def phone_page(browser: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    """Pages of their own contexts: a phone screen, a language, the device's location."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(lang: str = "zh-CN", phone: bool = True, located: bool = False) -> Any:
        options: dict[str, Any] = (
            dict(PHONE_SCREEN) if phone else {"viewport": {"width": 1920, "height": 1080}}
        )
        if located:
            options |= {"geolocation": HUBIN, "permissions": ["geolocation"]}
        context = browser.new_context(base_url=live_server, locale="zh-CN", **options)
        context.add_init_script(f"localStorage.setItem('cityops.lang', '{lang}')")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the console pages: {errors}"


def no_overflow(page: Any) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide on a {widths[1]} px screen"


def test_an_operator_reveals_the_phone_and_the_history_says_so(
    new_page: NewPage, in_progress: int
) -> None:
    inspector = new_page()
    sign_in(inspector, "insp1")
    inspector.goto(f"/cases/{in_progress}")
    phone_row = inspector.locator('#case-fields [data-field="case.reporter_phone"] dd')
    expect(phone_row).to_have_text("138****1234")
    expect(inspector.get_by_role("button", name="显示号码")).to_have_count(0)

    operator = new_page()
    sign_in(operator, "op1")
    operator.goto(f"/cases/{in_progress}")
    phone_row = operator.locator('#case-fields [data-field="case.reporter_phone"] dd')
    expect(phone_row).to_contain_text("138****1234")
    operator.get_by_role("button", name="显示号码").click()
    link = phone_row.get_by_role("link", name=PHONE)
    expect(link).to_have_attribute("href", f"tel:{PHONE}")
    expect(operator.locator("#timeline")).to_contain_text("查看联系方式")
    expect(operator.get_by_role("button", name="显示号码")).to_have_count(0)
    inspector.reload()  # the reveal was the operator's: the inspector still sees it masked
    expect(inspector.locator('#case-fields [data-field="case.reporter_phone"] dd')).to_have_text(
        "138****1234"
    )
    shoot(operator, "photos-01-revealed-1360-zh")


def test_the_handler_attaches_a_result_photo_and_it_opens_in_the_viewer(
    new_page: NewPage, in_progress: int, photo_file: Path, uploads: Path
) -> None:
    handler = new_page()
    sign_in(handler, "hand1")
    handler.goto(f"/cases/{in_progress}")
    handler.locator("#action-buttons").get_by_role("button", name="办结反馈", exact=True).click()
    form = handler.locator("#action-panel form")
    form.get_by_label("处置结果").fill("已疏通管道并清理现场。")
    chooser = form.locator("input[type=file]")
    assert chooser.get_attribute("accept") == "image/*"
    assert chooser.get_attribute("capture") == "environment"
    chooser.set_input_files(str(photo_file))
    thumb = form.locator(".photo-picked .photo-thumb img")
    expect(thumb).to_have_count(1)
    expect(form.locator(".photo-status")).to_have_text("已添加 1 张照片")
    shoot(handler, "photos-02-finish-form-1360-zh")
    form.locator("button[type=submit]").click()
    handler.locator(".flash-ok").wait_for()
    result = handler.locator('#case-fields [data-field="case.result_photos"] .photo-thumb')
    expect(result).to_have_count(1)
    ref = result.get_attribute("data-photo")
    assert ref
    assert re.fullmatch(r"/media/\d{4}/\d{2}/[\w-]+\.jpg", ref)
    assert (uploads / ref.removeprefix("/media/")).is_file()
    img = result.locator("img")
    expect(img).to_have_attribute("loading", "lazy")
    handler.wait_for_function(
        "(el) => el.complete && el.naturalWidth === 640", arg=img.element_handle()
    )
    timeline = handler.locator("#timeline .timeline-item", has_text="办结反馈")
    expect(timeline.locator(".photo-thumb")).to_have_count(1)

    result.click()
    viewer = handler.get_by_role("dialog", name="照片查看")
    expect(viewer).to_be_visible()
    expect(viewer.locator(".viewer-img")).to_have_attribute("src", ref)
    expect(viewer.locator(".viewer-count")).to_have_text("1 / 1")
    shoot(handler, "photos-03-viewer-1360-zh", full_page=False)
    handler.keyboard.press("Escape")
    expect(viewer).to_have_count(0)
    expect(result).to_be_focused()


def test_an_inspector_reports_with_a_photo_from_a_phone(
    phone_page: Callable[..., Any], seeded: dict[str, str], photo_file: Path, uploads: Path
) -> None:
    page = phone_page(located=True)
    sign_in(page, "insp1", PASSWORD)
    page.goto("/cases/new")
    page.get_by_label("搜索案件类别").fill("公用设施")  # a parent category: its children are found
    page.locator("#n-category option[value=C010102]").wait_for(state="attached")
    page.get_by_label("案件类别", exact=True).select_option("C010102")
    page.get_by_label("标题", exact=True).fill("污水井盖破损")
    page.get_by_label("问题描述").fill("人行道上的污水井盖破损，已设置临时警示。")
    page.locator("#new-map path.leaflet-interactive").first.wait_for()
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.locator("#n-chain .chain-part")).to_have_count(5)  # 市 区 街道 社区 网格
    expect(page.get_by_label("经度")).to_have_value("120.125000")
    expect(page.get_by_label("纬度")).to_have_value("30.252000")
    assert "湖滨街道" in page.locator("#n-chain").inner_text()
    page.locator("#n-photo-file").set_input_files(str(photo_file))
    expect(page.locator(".photo-picked .photo-thumb")).to_have_count(1)
    no_overflow(page)
    shoot(page, "photos-04-inspector-report-390-zh")
    page.get_by_role("button", name="提交受理").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    reported = page.locator('#case-fields [data-field="case.report_photos"] .photo-thumb')
    expect(reported).to_have_count(1)
    no_overflow(page)
    shoot(page, "photos-05-inspector-case-390-zh")


def test_required_fields_are_told_in_chinese_and_cleared_when_put_right(
    phone_page: Callable[..., Any], seeded: dict[str, str]
) -> None:
    page = phone_page()
    sign_in(page, "op1", PASSWORD)
    page.goto("/cases/new")
    page.locator("#new-map path.leaflet-interactive").first.wait_for()
    no_overflow(page)
    page.get_by_role("button", name="提交受理").click()
    title = page.get_by_label("标题", exact=True)
    expect(title).to_have_attribute("aria-invalid", "true")
    messages = page.locator(".field-error").all_inner_texts()
    assert "请填写“标题”。" in messages
    assert "请填写“问题描述”。" in messages
    assert "请填写“案件类别”。" in messages
    expect(page.locator("#n-error")).to_have_text("有 5 处需要修改，请查看标红的字段。")
    no_overflow(page)
    shoot(page, "photos-06-required-390-zh")
    title.fill("路灯不亮")
    expect(page.locator('[data-field="title"] .field-error')).to_have_count(0)
    expect(title).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#n-error")).to_have_text("有 4 处需要修改，请查看标红的字段。")
    page.get_by_label("问题描述").fill("路口路灯晚上不亮。")
    expect(page.locator('[data-field="description"] .field-error')).to_have_count(0)


def test_the_server_refusal_is_shown_at_its_field(
    phone_page: Callable[..., Any], seeded: dict[str, str]
) -> None:
    page = phone_page(phone=False)
    sign_in(page, "op1", PASSWORD)
    page.goto("/cases/new")
    page.get_by_label("搜索案件类别").fill("C010102")
    page.locator("#n-category option[value=C010102]").wait_for(state="attached")
    page.get_by_label("案件类别", exact=True).select_option("C010102")
    page.get_by_label("标题", exact=True).fill("路灯不亮")
    page.get_by_label("问题描述").fill("路口路灯晚上不亮。")
    page.get_by_label("联系电话").fill("12345")  # no number: the server's invalid_phone
    page.get_by_label("经度").fill("120.125")
    page.get_by_label("纬度").fill("30.252")
    page.get_by_role("button", name="提交受理").click()
    phone_error = page.locator('[data-field="reporter_phone"] .field-error')
    expect(phone_error).to_be_visible()
    assert not re.search(r"[A-Za-z]{4,}", phone_error.inner_text()), phone_error.inner_text()
    page.get_by_label("联系电话").fill("13812341234")
    expect(phone_error).to_have_count(0)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("phone", [True, False], ids=["390", "1920"])
def test_screens_at_1920_and_390(
    phone_page: Callable[..., Any], in_progress: int, lang: str, phone: bool
) -> None:
    """The pages this section changed, to look at; none runs off the screen."""
    width = 390 if phone else 1920
    page = phone_page(lang=lang, phone=phone)
    sign_in(page, "op1", PASSWORD)
    page.goto("/cases/new")
    page.locator("#new-map path.leaflet-interactive").first.wait_for()
    page.locator("#n-place-q").fill("湖滨东园")
    page.locator("#n-place-hits .place-hit").first.wait_for()
    no_overflow(page)
    shoot(page, f"photos-10-new-case-{width}-{lang}")
    page.goto(f"/cases/{in_progress}")
    page.locator("#timeline .timeline-item").first.wait_for()
    no_overflow(page)
    shoot(page, f"photos-11-case-{width}-{lang}")
    page.goto("/console/hotline")
    page.locator("#h-map path.leaflet-interactive").first.wait_for()
    # street level: zoom 15 is ~4 m a pixel here (the whole city fitted was ~16, Hangzhou's ~39)
    hotline_map = page.locator("#h-map[data-zoom]")
    hotline_map.wait_for(state="attached")
    zoom = float(hotline_map.get_attribute("data-zoom") or 0)
    metres_per_pixel = 156543.03 * math.cos(math.radians(HUBIN["latitude"])) / 2**zoom
    assert metres_per_pixel < 6, f"the hotline map opens at {metres_per_pixel:.1f} m a pixel"
    # the address box searches the city's places; a hit moves the map there and picks it
    address = page.locator("#h-address")
    address.fill("湖滨东园社区12幢")
    page.locator("#h-place-hits .place-hit").first.click()
    expect(address).to_have_value("湖滨东园社区12幢")  # the address as typed stays
    expect(page.locator("#h-chain")).to_contain_text("湖滨东园社区")
    no_overflow(page)
    shoot(page, f"photos-12-hotline-{width}-{lang}")
