"""Errors in the UI's language: the HTML 404 page of the console and the portal, and a server
error code shown in Chinese in the console (the i18n text for the code, not the server's
English)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, shoot, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e


def test_the_console_404_page(new_page: Callable[..., Any]) -> None:
    page = new_page()
    response = page.goto("/no-such-page")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="找不到这个页面")).to_be_visible()
    expect(page).to_have_title("出错了 · 城市运行一网统管")
    shoot(page, "404-console-zh")
    page.get_by_role("button", name="切换到英文界面").click()
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.get_by_role("link", name="Back to the workbench").click()
    page.wait_for_url("**/login?next=%2F")  # the workbench needs a session


def test_the_portal_404_page_on_a_phone(browser: Any, live_server: str) -> None:
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        response = page.goto("/portal/no-such-page")
        assert response is not None
        assert response.status == 404
        expect(page.get_by_role("heading", name="找不到这个页面")).to_be_visible()
        expect(page.get_by_role("link", name="返回市民门户")).to_be_visible()
        shoot(page, "404-portal-phone")
        assert not errors
    finally:
        context.close()


def test_a_server_error_shows_in_the_ui_language(
    new_page: Callable[..., Any], seeded: dict[str, str]
) -> None:
    page = new_page()
    sign_in(page, "op1")
    ask = """() => import('/static/js/api.js').then((m) =>
        m.api('/api/v1/cases/999999').catch((err) => [err.code, err.message, err.serverMessage]))"""
    code, shown, server = page.evaluate(ask)
    assert code == "case_not_found"
    assert shown == "找不到该案件，或不在您的权限范围内。"
    assert server == "case 999999 not found"
    page.get_by_role("button", name="切换到英文界面").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.evaluate(ask)[1] == "Case not found, or not within your scope."
