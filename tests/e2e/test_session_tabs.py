"""Signing in once: the console's session cookie is shared by every tab of the browser, so a case
opened in a new tab (a ctrl-click, the hotline's target=_blank links) is signed in; signing out
in one tab sends the other tab's next request to the login page, as does a session left idle.
On a desktop and a phone."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from .conftest import CHROMIUM, PASSWORD, shoot

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1360, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture(params=list(VIEWPORTS))
def context(request: pytest.FixtureRequest, browser: Any, live_server: str) -> Iterator[Any]:
    """One browser context (one cookie jar, as one browser) whose pages are its tabs."""
    ctx = browser.new_context(base_url=live_server, locale="zh-CN", **VIEWPORTS[request.param])
    ctx.set_default_timeout(10_000)
    errors: list[str] = []
    ctx.on("page", lambda page: page.on("pageerror", lambda exc: errors.append(str(exc))))
    ctx.viewport_name = request.param
    yield ctx
    ctx.close()
    assert not errors, f"JavaScript errors in the console pages: {errors}"


def sign_in_to_cases(page: Any) -> None:
    """Sign in as op1 from /login?next=/cases and wait until the case list is there."""
    page.goto("/login?next=/cases")
    page.locator("#username").fill("op1")
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    # the login page's own address ends in /cases too: wait for the list's page
    page.wait_for_url(lambda url: url.endswith("/cases") and "/login" not in url)
    expect(page.locator("#who")).to_have_text("李受理 (受理员)")


def report_case(page: Any) -> int:
    """A case filed through the API with the page's session (cookie + X-CSRF-Token)."""
    created: dict[str, Any] = page.evaluate(
        """async () => {
          const csrf = document.cookie.split('; ').find((c) => c.startsWith('cityops_csrf='));
          const res = await fetch('/api/v1/cases', {method: 'POST', headers: {
            'X-CSRF-Token': csrf.split('=')[1], 'Content-Type': 'application/json'},
            body: JSON.stringify({source: 'hotline', title: '井盖缺失',
              description: '人行道上的井盖不见了，很危险', category_code: 'A010101',
              lon: 120.125, lat: 30.252})});
          return res.json();
        }"""
    )
    case_id: int = created["id"]
    return case_id


def test_a_case_opened_in_a_new_tab_is_signed_in_and_sign_out_ends_both(
    context: Any, seeded: dict[str, str]
) -> None:
    first = context.new_page()
    first.goto("/cases")  # not signed in: the login page, which comes back here
    first.wait_for_url("**/login?next=%2Fcases")
    first.locator("#username").fill("op1")
    first.locator("#password").fill(PASSWORD)
    first.locator("#login-form button[type=submit]").click()
    first.wait_for_url("**/cases")
    assert first.evaluate("Object.keys(sessionStorage).length") == 0  # no token in tab storage
    assert "cityops_session" not in first.evaluate("document.cookie")  # HttpOnly
    case_id = report_case(first)
    first.reload()
    link = first.locator(f"#case-table a.case-link[href='/cases/{case_id}']")
    with context.expect_page() as opened:
        link.click(modifiers=["ControlOrMeta"])
    second = opened.value
    second.wait_for_load_state()
    assert second.url.endswith(f"/cases/{case_id}")
    expect(second.locator("#who")).to_have_text("李受理 (受理员)")
    expect(second.locator("#case-fields dt").first).to_be_visible()
    shoot(second, f"session-new-tab-{context.viewport_name}")

    first.locator("#logout").click()
    first.wait_for_url("**/login")
    second.locator("a[data-nav=cases]").click()  # the other tab's next request
    second.wait_for_url("**/login?next=%2Fcases")
    expect(second.locator("#login-form")).to_be_visible()


def test_an_api_call_after_sign_out_elsewhere_goes_to_login(
    context: Any, seeded: dict[str, str]
) -> None:
    first = context.new_page()
    sign_in_to_cases(first)
    second = context.new_page()
    second.goto("/cases")
    expect(second.locator("#who")).to_have_text("李受理 (受理员)")
    first.locator("#logout").click()
    first.wait_for_url("**/login")
    # a call to the API from the page, without leaving it: its 401 goes to the login page
    # (which may leave before evaluate has answered)
    with contextlib.suppress(PlaywrightError):
        second.evaluate(
            "() => { import('/static/js/api.js').then((m) => m.api('/api/v1/users/me'))"
            ".catch(() => {}); }"
        )
    second.wait_for_url("**/login?next=%2Fcases")


def test_an_idle_session_goes_to_login(
    context: Any, seeded: dict[str, str], e2e_platform: Any, e2e_clock: Any
) -> None:
    page = context.new_page()
    sign_in_to_cases(page)
    idle = timedelta(minutes=e2e_platform.settings.session_idle_minutes)
    e2e_clock.advance(idle - timedelta(minutes=1))
    page.reload()  # used within the idle time: still signed in, the cookie slides
    expect(page.locator("#who")).to_have_text("李受理 (受理员)")
    # nothing of the page may be under way when the clock jumps: a request answered after the
    # jump re-issues the cookie as seen then (right for a user at work, not for this test)
    page.wait_for_load_state("networkidle")
    page.close()
    e2e_clock.advance(idle)
    page = context.new_page()
    page.goto("/cases")
    page.wait_for_url("**/login?next=%2Fcases")
