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
    shoot(page, "api-docs")
    # Swagger UI (5.3x) renders the operations list virtually: only what is near the viewport is
    # in the DOM, so the page is walked down and every tag of the document must come by
    spec = page.request.get("/openapi.json").json()
    tags = {t for op in _operations(spec) for t in op.get("tags", [])}
    seen: set[str] = set()
    paths: set[str] = set()
    height = page.evaluate("document.body.scrollHeight")
    for y in range(0, height + 1, 500):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(50)
        seen |= set(page.locator(".opblock-tag").all_inner_texts())
        paths |= {p.strip() for p in page.locator(".opblock-summary-path").all_inner_texts()}
    assert tags <= seen, f"tags never rendered: {sorted(tags - seen)}"
    assert {"/api/v1/cases", "/api/v1/telemetry", "/api/v1/events"} <= paths
    assert outside == []


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in spec["paths"].values() for op in item.values() if isinstance(op, dict)]
