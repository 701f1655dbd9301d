"""The console shell in a real browser: login, the language switch, no script errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM

from .conftest import CHROMIUM, shoot

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def smoke_user(e2e_platform: Platform) -> str:
    from cityops.org.public import NewUser

    with e2e_platform.uow() as uow:
        e2e_platform.org.create_user(
            uow,
            SYSTEM,
            NewUser(
                username="smoke", password="smoke-pass-1", roles=("leader",), display_name="王领导"
            ),
        )
    return "smoke"


def test_login_page_switches_language(new_page: Callable[..., Any]) -> None:
    page = new_page()
    page.goto("/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("heading", name="登录").is_visible()
    shoot(page, "01-login-zh")
    page.get_by_role("button", name="切换到英文界面").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.get_by_label("Username").is_visible()
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Sign in").is_visible()


def test_wrong_password_is_refused(new_page: Callable[..., Any], smoke_user: str) -> None:
    page = new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(smoke_user)
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()
    assert page.get_by_role("alert").inner_text() == "用户名或密码不正确。"


def test_pages_need_a_login(new_page: Callable[..., Any]) -> None:
    page = new_page()
    page.goto("/cases?status=reported")
    page.wait_for_url("**/login?next=*")
    assert "next=%2Fcases%3Fstatus%3Dreported" in page.url


def test_signed_in_user_sees_the_workbench(new_page: Callable[..., Any], smoke_user: str) -> None:
    page = new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(smoke_user)
    page.get_by_label("密码").fill("smoke-pass-1")
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/")
    # the shell fills in who is signed in once its script has run: wait for it
    expect(page.locator("#who")).to_have_text("王领导 (领导)")
    expect(page.get_by_role("heading", name="我的工作台")).to_be_visible()
    shoot(page, "02-workbench-leader")


@pytest.mark.parametrize(
    ("path", "form", "field"),
    [
        ("/login", "#login-form", "#password"),
        ("/cases/new", "#new-case", "#n-phone"),
        ("/console/hotline", "#call", "#h-phone"),
        ("/portal", "#appeal", "#a-phone"),
        ("/portal/track", "#rate-form", None),  # shown once a case is found
    ],
)
def test_a_form_cannot_be_sent_before_its_script_is_ready(
    browser: Any, live_server: str, smoke_user: str, path: str, form: str, field: str | None
) -> None:
    """Until a page's script has attached its handler, the form's submit button is disabled: a
    native submission would put what was typed (a password, a phone number) in the address bar."""
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        if path in ("/cases/new", "/console/hotline"):  # console pages need a session:
            signed_in = context.request.post(  # signed in through the API (no script runs)
                "/api/v1/auth/session", form={"username": smoke_user, "password": "smoke-pass-1"}
            )
            assert signed_in.ok
        page = context.new_page()
        page.goto(path)
        button = page.locator(f"{form} button[type=submit]")
        assert button.is_disabled()
        if field:
            page.locator(field).fill("13800001234")
            page.locator(field).press("Enter")  # implicit submission needs an enabled button
            page.wait_for_timeout(300)
            assert "13800001234" not in page.url
    finally:
        context.close()


def test_the_language_switch_answers_before_the_words_have_loaded(
    new_page: Callable[..., Any],
) -> None:
    """A click on the switch while the dictionaries are still on their way is not lost."""
    page = new_page()
    held: list[Any] = []
    page.route("**/i18n/*.json", lambda route: held.append(route))
    page.goto("/login", wait_until="domcontentloaded")
    for _ in range(100):  # the page's script has asked for its words, which are held back
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the dictionaries were not held back: the test proves nothing"
    page.get_by_role("button", name="切换到英文界面").click()
    for route in held:
        route.continue_()
    page.unroute("**/i18n/*.json")
    page.wait_for_function("document.documentElement.lang === 'en'")
    expect(page.get_by_label("Username")).to_be_visible()
