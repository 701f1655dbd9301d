"""The OpenAPI docs (/docs) in a real browser with the network cut off beyond the server: Swagger
UI comes from static/vendor, and the operations list renders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, shoot

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e


@pytest.mark.xfail(
    reason="regression: Swagger UI stops rendering after the first three tags of the grown API "
    "(seen at 2026-12-07; the page loads offline, the operations past `departments` do not show)",
    strict=False,
)
def test_docs_render_offline(new_page: Callable[..., Any], live_server: str) -> None:
    page = new_page()
    outside: list[str] = []

    def only_the_server(route: Any) -> None:
        url = route.request.url
        if url.startswith(live_server + "/"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.context.route("**/*", only_the_server)
    page.goto("/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    # Swagger UI renders the operations tag after tag; with the whole API that takes a while
    expect(page.locator(".opblock").nth(20)).to_be_attached(timeout=90_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/cases").first).to_be_visible()
    shoot(page, "api-docs")
    assert outside == []
