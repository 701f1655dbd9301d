"""Browser tests: a real uvicorn server over a platform on a temporary SQLite database, driven by
Playwright through Debian's Chromium (/usr/bin/chromium; no browser download). e2e runs on SQLite
only. Screenshots go to test-artifacts/screenshots/ (gitignored)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from cityops.app import Platform, build_platform
from cityops.infra.settings import Settings
from cityops.kernel.clock import SHANGHAI, FixedClock

# Monday 2026-11-23 09:00 in Shanghai: a working day, inside working hours.
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
VENDOR = ROOT / "src" / "cityops" / "web" / "static" / "vendor" / "leaflet" / "leaflet-src.esm.js"
# Assertions wait as long as actions do (the context's default timeout): a loaded CI machine
# may take more than Playwright's default 5 s for a page to answer.
expect.set_options(timeout=10_000)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def e2e_clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture(scope="module")
def e2e_platform(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, e2e_clock: FixedClock
) -> Iterator[Platform]:
    path = tmp_path_factory.mktemp("e2e") / "cityops.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(env="test", database_url=f"sqlite:///{path}")
    platform = build_platform(settings, clock=e2e_clock, migrate=False)
    yield platform
    platform.close()


@pytest.fixture(scope="module")
def live_server(e2e_platform: Platform) -> Iterator[str]:
    """The console served by uvicorn on a free local port, in a background thread."""
    from live_server import serve

    if not VENDOR.is_file():
        pytest.fail("Leaflet is missing from static/vendor: run `make assets` first")
    with serve(e2e_platform, name="e2e-uvicorn") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Any]:
    """A factory of fresh pages (each its own context: its own sessionStorage and cookies)."""
    contexts: list[Any] = []

    def make(lang: str | None = None) -> Any:
        context = browser.new_context(
            base_url=live_server, viewport={"width": 1360, "height": 900}, locale="zh-CN"
        )
        if lang:
            context.add_init_script(f"localStorage.setItem('cityops.lang', '{lang}')")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    errors: list[str] = []
    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the console pages: {errors}"


def shoot(page: Any, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# --- the seeded city -------------------------------------------------------------------------

PASSWORD = "e2e-Secret-2026"
# username, display name, roles, department, areas (the demo city's two districts)
USERS = [
    ("op1", "李受理", ("operator",), None, ()),
    ("disp1", "张派遣", ("dispatcher",), None, ()),
    ("hand1", "王水务", ("handler",), "SWJ", ()),
    ("insp1", "赵监督", ("inspector",), None, ("330191", "330192")),
    ("lead1", "陈值班", ("shift_leader", "leader"), None, ()),
]


@pytest.fixture(scope="module")
def seeded(e2e_platform: Platform) -> dict[str, str]:
    """The demo city (2 districts, 6 streets, 18 communities, 72 grids), the default
    responsibility list with its departments, a street office per street and one user per role.
    Returns username → password."""
    from default_city import seed_default_city

    from cityops.kernel.actor import SYSTEM
    from cityops.org.public import NewUser

    p = e2e_platform
    seed_default_city(p)
    with p.uow() as uow:
        for username, name, roles, dept, areas in USERS:
            p.org.create_user(
                uow,
                SYSTEM,
                NewUser(
                    username=username,
                    password=PASSWORD,
                    roles=roles,
                    display_name=name,
                    department_code=dept,
                    area_codes=areas,
                ),
            )
    return {u[0]: PASSWORD for u in USERS}


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
