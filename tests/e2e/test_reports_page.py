"""The 智能报表 console page in a real browser: a leader builds the month's report as a PDF
through the form, sees it in the archive and downloads it (a PDF with the report's title); a
dispatcher sees the archive without the form; a handler gets the page as a refusal.
Screenshots: /tmp/shots/reports/*.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
SHOTS = Path("/tmp/shots/reports")


def test_build_list_and_download(new_page: NewPage, seeded: dict[str, str]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_page()
    sign_in(page, "lead1")
    expect(page.locator('nav a[data-nav="reports"]')).to_be_visible()
    page.goto("/console/reports")
    expect(page.locator("#report-empty")).to_be_visible()
    page.locator("#rb-period").fill("2026-11")
    page.locator("#rb-format").select_option("pdf")
    page.locator("#report-build button[type=submit]").click()
    row = page.locator("#report-table tbody tr")
    expect(row).to_have_count(1, timeout=60_000)
    expect(row.first).to_contain_text("本市城市运行月报（2026年11月）")
    expect(row.first).to_contain_text("PDF")
    page.screenshot(path=str(SHOTS / "reports-leader.png"), full_page=True)
    with page.expect_download() as done:
        row.first.locator("button").click()
    saved = SHOTS / "downloaded.pdf"
    done.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    other = new_page()
    sign_in(other, "disp1")
    other.goto("/console/reports")
    expect(other.locator("#report-table tbody tr")).to_have_count(1)
    expect(other.locator("#report-build")).to_be_hidden()

    handler = new_page()
    sign_in(handler, "hand1")
    response = handler.goto("/console/reports")
    assert response is not None
    assert response.status == 403
    expect(handler.locator("#reports-denied")).to_be_visible()
