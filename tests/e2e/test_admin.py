"""The 系统管理 page in a real browser: an administrator creates a user (the password shown once)
and disables it, creates a department, changes a category's time limit, creates an Open311 key
(shown once) and a webhook, and sets a holiday and a 调休 working day — each checked through
the API afterwards. Anyone else gets the 403 page and no link. Screenshots of every tab at
1920 and 390 px wide, in Chinese and English: test-artifacts/screenshots/admin-*.png."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser

from .conftest import CHROMIUM, PASSWORD, shoot, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
TABS = ("users", "departments", "categories", "knowledge", "open311", "webhooks", "calendar")


@pytest.fixture(scope="module")
def admin(e2e_platform: Platform, seeded: dict[str, str]) -> str:
    with e2e_platform.uow() as uow:
        e2e_platform.org.create_user(
            uow,
            SYSTEM,
            NewUser(username="adm1", password=PASSWORD, roles=("admin",), display_name="管理员甲"),
        )
    return "adm1"


@pytest.fixture(scope="module")
def http(e2e_platform: Platform, admin: str, live_server: str) -> Iterator[httpx.Client]:
    """The API as the administrator (a bearer token), to check what the page did."""
    with e2e_platform.read() as s:
        token = e2e_platform.org.access_token_for_user(s, admin).access_token
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live_server, headers=headers, timeout=10) as client:
        yield client


def open_tab(page: Any, name: str) -> Any:
    page.locator(f"#tab-{name}").click()
    panel = page.locator(f"#panel-{name}")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("aria-busy", "false")
    return panel


def dialog(page: Any) -> Any:
    box = page.locator("#admin-dialog")
    expect(box).to_be_visible()
    return box


def test_admin_manages_the_platform_through_the_page(
    new_page: NewPage, admin: str, http: httpx.Client, e2e_platform: Platform
) -> None:
    page = new_page()
    sign_in(page, admin)
    expect(page.locator("a[data-nav=admin]")).to_be_visible()
    page.goto("/admin")
    users = page.locator("#panel-users")
    expect(users.locator("tr[data-user=op1]")).to_be_visible()

    # 用户: create with the generated password, shown once
    page.locator("#user-create").click()
    box = dialog(page)
    box.locator("#f-username").fill("newop")
    box.locator("#f-display_name").fill("新受理员")
    box.get_by_label("受理员").check()
    box.locator("#f-department_code").select_option("SWJ")
    password = box.locator("#f-password").input_value()
    assert len(password) >= 12
    box.get_by_role("button", name="创建").click()
    expect(box.locator(".secret")).to_have_text(password)
    box.get_by_role("button", name="关闭").first.click()
    created = {u["username"]: u for u in http.get("/api/v1/users").json()}["newop"]
    assert (created["roles"], created["department_code"], created["active"]) == (
        ["operator"],
        "SWJ",
        True,
    )
    assert httpx.post(
        f"{http.base_url}/api/v1/auth/token", data={"username": "newop", "password": password}
    ).is_success

    # … and disable it (asked first)
    users.locator("tr[data-user=newop]").get_by_role("button", name="停用").click()
    dialog(page).get_by_role("button", name="停用").click()
    expect(users.locator("tr[data-user=newop]").get_by_role("button", name="启用")).to_be_visible()
    assert http.get(f"/api/v1/users/{created['id']}").json()["active"] is False

    # 部门
    depts = open_tab(page, "departments")
    page.locator("#dept-create").click()
    box = dialog(page)
    box.locator("#f-code").fill("E2EJ")
    box.locator("#f-name").fill("端到端测试局")
    box.locator("#f-kind").select_option("city_department")
    box.get_by_role("button", name="创建").click()
    expect(depts.locator("tr[data-department=E2EJ]")).to_contain_text("端到端测试局")
    codes = {d["code"]: d for d in http.get("/api/v1/departments").json()}
    assert codes["E2EJ"]["name"] == "端到端测试局"

    # 权责清单: a leaf category's 处置 time limit
    leaf = http.get("/api/v1/categories", params={"leaf_only": True}).json()[0]
    cats = open_tab(page, "categories")
    cats.locator("#cat-search").fill(leaf["code"])
    row = cats.locator(f"tr[data-category={leaf['code']}]")
    row.get_by_role("button", name="编辑").click()
    box = dialog(page)
    box.locator("#limit-handle").fill("7")
    box.locator("select[name=unit_handle]").select_option("working_hours")
    box.get_by_role("button", name="保存").click()
    expect(box).to_be_hidden()
    expect(row).to_contain_text("处置 7工时")
    saved = http.get(f"/api/v1/categories/{leaf['code']}").json()
    assert saved["limits"]["handle"] == {"amount": 7.0, "unit": "working_hours"}
    revisions = http.get(f"/api/v1/categories/{leaf['code']}/revisions").json()
    assert revisions[-1]["changed_by"] == admin

    # Open311 key, shown once and working
    keys = open_tab(page, "open311")
    page.locator("#key-create").click()
    box = dialog(page)
    box.locator("#f-name").fill("e2e-app")
    box.get_by_role("button", name="创建").click()
    api_key = box.locator(".secret").inner_text()
    box.get_by_role("button", name="关闭").first.click()
    expect(keys.locator("tr[data-key=e2e-app]")).to_contain_text("启用")
    listed = {k["name"]: k for k in http.get("/api/v1/open311/keys").json()}
    assert listed["e2e-app"]["active"] is True
    with e2e_platform.read() as s:
        assert e2e_platform.open311.authenticate(s, api_key).username == "open311:e2e-app"

    # Webhook: created, the secret shown once, the delivery log opens
    hooks = open_tab(page, "webhooks")
    page.locator("#hook-create").click()
    box = dialog(page)
    box.locator("#f-url").fill("https://hooks.example.org/cityops")
    box.locator("#f-event_names").fill("case.closed")
    box.locator("#f-description").fill("端到端")
    box.get_by_role("button", name="创建").click()
    expect(box.locator(".secret")).to_be_visible()
    box.get_by_role("button", name="关闭").first.click()
    hook = next(w for w in http.get("/api/v1/webhooks").json() if w["description"] == "端到端")
    assert hook["event_names"] == ["case.closed"]
    hooks.locator(f"tr[data-webhook='{hook['id']}']").get_by_role("button", name="投递记录").click()
    expect(dialog(page)).to_contain_text("还没有投递")
    page.keyboard.press("Escape")

    # 工作日历: 2027 (weekends only so far): a Monday off, a Saturday worked
    cal = open_tab(page, "calendar")
    page.locator("#cal-year").fill("2027")
    page.locator("#cal-year").dispatch_event("change")
    expect(cal).to_contain_text("仅按周末计算")
    cal.locator(".cal-day[data-day='2027-02-08']").click()
    cal.locator(".cal-day[data-day='2027-02-06']").click()
    expect(cal.locator(".cal-day[data-day='2027-02-08']")).to_have_class("cal-day cal-holiday")
    expect(cal.locator(".cal-day[data-day='2027-02-06']")).to_have_class("cal-day cal-workday")
    page.locator("#cal-save").click()
    expect(cal).to_contain_text("adm1")
    year = http.get("/api/v1/calendar/2027").json()
    assert (year["holidays"], year["workdays"], year["source"]) == (
        ["2027-02-08"],
        ["2027-02-06"],
        "database",
    )
    assert not e2e_platform.calendar.is_working_day(date(2027, 2, 8))


def test_an_error_is_shown_in_the_dialog_in_the_users_language(
    new_page: NewPage, admin: str
) -> None:
    page = new_page("en")
    sign_in(page, admin)
    page.goto("/admin#open311")
    page.locator("#key-create").click()
    box = dialog(page)
    box.locator("#f-name").fill("Not A Name")
    box.get_by_role("button", name="Create").click()
    expect(box.get_by_role("alert")).to_be_visible()
    expect(box.get_by_role("alert")).not_to_be_empty()
    expect(box).to_be_visible()  # the form stays open with what was typed
    expect(box.locator("#f-name")).to_have_value("Not A Name")


@pytest.mark.parametrize("username", ["disp1", "lead1", "hand1"])
def test_anyone_else_is_refused(new_page: NewPage, seeded: dict[str, str], username: str) -> None:
    page = new_page()
    sign_in(page, username)
    expect(page.locator("a[data-nav=admin]")).to_be_hidden()
    response = page.goto("/admin")
    assert response is not None
    assert response.status == 403
    expect(page.locator("#admin-denied")).to_be_visible()
    expect(page.locator("#panel-users")).to_have_count(0)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("width", [1920, 390])
def test_every_tab_at_desk_and_phone_width(
    new_page: NewPage, admin: str, lang: str, width: int
) -> None:
    page = new_page(lang)
    page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
    sign_in(page, admin)
    page.goto("/admin")
    for name in TABS:
        panel = open_tab(page, name)
        expect(panel.locator("h2").first).to_be_visible()
        # nothing wider than the window at phone width
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow} px wider than the {width} px window"
        shoot(page, f"admin-{name}-{width}-{lang}", full_page=width > 500)


def test_the_list_exported_and_imported_again_changes_nothing(
    new_page: NewPage, admin: str, http: httpx.Client, tmp_path: Path
) -> None:
    page = new_page()
    sign_in(page, admin)
    page.goto("/admin#categories")
    expect(page.locator("#panel-categories tr[data-category]").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="导出 CSV").click()
    exported = tmp_path / "categories.csv"
    download.value.save_as(exported)
    total = len(http.get("/api/v1/categories", params={"include_inactive": True}).json())
    page.locator("#cat-import-file").set_input_files(str(exported))
    expect(page.locator("#flash")).to_contain_text(f"未变 {total}（共 {total}）")


def test_the_language_switch_relabels_the_open_tab(new_page: NewPage, admin: str) -> None:
    page = new_page()
    sign_in(page, admin)
    page.goto("/admin#departments")
    expect(page.locator("#dept-create")).to_have_text("新建部门")
    page.locator("#lang-toggle").click()
    expect(page.locator("#tab-departments")).to_have_text("Departments")
    expect(page.locator("#dept-create")).to_have_text("New department")
    expect(page.locator("#panel-departments tr[data-department]").first).to_be_visible()
