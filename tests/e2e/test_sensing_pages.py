"""The 物联感知 pages in a real browser: an administrator registers a device on /console/devices
(the point picked on the map; the token shown once), the device sends telemetry over HTTP with
that token, and its page shows the latest value and a chart holding the points (read from
ECharts itself), then appends a reading sent while the page is open; a refused payload shows on
the dead-letters page as text; a CSV with one bad row is refused with that row's error and
nothing imported, then imported once fixed. Staff without a sensing role get the 403 page. At
1920 and 390 px (no sideways scrolling), screenshots in Chinese and English under
/tmp/shots/sensing/ (and test-artifacts/screenshots/)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser

from .conftest import CHROMIUM, PASSWORD, T0, shoot, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
SHOTS = Path("/tmp/shots/sensing")
CODE = "E2E-AQ-1"
# readings every 2 minutes over the hour before the clock's now (pm25 rising 20 → 49)
READINGS = [
    {"ts": int((T0 - timedelta(minutes=60 - 2 * i)).timestamp() * 1000), "values": {"pm25": 20 + i}}
    for i in range(30)
]


@pytest.fixture(scope="module")
def admin(e2e_platform: Platform, seeded: dict[str, str]) -> str:
    with e2e_platform.uow() as uow:
        e2e_platform.org.create_user(
            uow,
            SYSTEM,
            NewUser(
                username="sadm", password=PASSWORD, roles=("admin",), display_name="设备管理员"
            ),
        )
        e2e_platform.org.create_user(
            uow,
            SYSTEM,
            NewUser(username="cit9", password=PASSWORD, roles=("citizen",), display_name="市民"),
        )
    return "sadm"


@pytest.fixture(scope="module")
def http(e2e_platform: Platform, admin: str, live_server: str) -> Iterator[httpx.Client]:
    with e2e_platform.read() as s:
        token = e2e_platform.org.access_token_for_user(s, admin).access_token
    with httpx.Client(
        base_url=live_server, headers={"Authorization": f"Bearer {token}"}, timeout=15
    ) as client:
        yield client


def snap(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    shoot(page, f"sensing-{name}")


def no_overflow(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map((el) => `${el.tagName}#${el.id}.${el.className}`)"""
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px: {wide}"


def chart_points(page: Any, metric: str) -> int:
    return int(
        page.evaluate(
            """(m) => {
              const el = document.querySelector(`.chart[data-metric="${m}"]`);
              const chart = el && echarts.getInstanceByDom(el);
              return chart ? chart.getOption().series[0].data.length : -1;
            }""",
            metric,
        )
    )


def wait_for_latest(http: httpx.Client, value: float) -> None:
    """The writer keeps the latest values in memory and stores them every 2 s."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = http.get("/api/v1/sensing/latest", params={"device": CODE}).json()
        if any(v["value"] == value for v in found["devices"][0]["values"]):
            return
        time.sleep(0.2)
    raise AssertionError(f"the latest value {value} was not stored")


def test_register_send_and_watch_a_device(
    new_page: NewPage, admin: str, http: httpx.Client, live_server: str
) -> None:
    page = new_page()
    sign_in(page, admin)
    page.goto("/console/devices")
    nav = page.locator('.mainnav a[data-nav="devices"]')
    expect(nav).to_be_visible()
    expect(nav).to_have_attribute("aria-current", "page")
    page.locator("#open-register").click()
    form = page.locator("#register-form")
    form.locator("#r-code").fill(CODE)
    form.locator("#r-type").select_option("air_quality")
    form.locator("#r-name").fill("东湖空气站")
    # the point is picked on the map: a click in the middle of the city's streets
    page.locator("#device-map").click()
    expect(form.locator("#r-lon")).not_to_have_value("")
    picked = [float(form.locator(f"#r-{axis}").input_value()) for axis in ("lon", "lat")]
    form.locator("button[type=submit]").click()
    token_box = page.locator("#token-box")
    expect(token_box).to_be_visible()
    token = page.locator("#token-value").inner_text().strip()
    assert len(token) >= 20
    stored = http.get(f"/api/v1/sensing/devices/{CODE}").json()
    assert stored["name"] == "东湖空气站"
    assert stored["has_token"] is True
    assert abs(stored["lon"] - picked[0]) < 1e-5  # where the map was clicked
    assert abs(stored["lat"] - picked[1]) < 1e-5

    sent = httpx.post(
        f"{live_server}/api/v1/telemetry", json=READINGS, headers={"X-Device-Token": token}
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["accepted"] == 30
    # a refused payload (not JSON), kept as a dead letter
    refused = httpx.post(
        f"{live_server}/api/v1/telemetry",
        content=b"<img src=x onerror=alert(1)> not json",
        headers={"X-Device-Token": token},
    )
    assert refused.status_code == 400

    wait_for_latest(http, 49)
    # the list shows it online
    page.goto(f"/console/devices?q={CODE}")
    row = page.locator(f'tr[data-device="{CODE}"]')
    expect(row.locator('[data-state="online"]')).to_be_visible()

    page.goto(f"/console/devices/{CODE}")
    card = page.locator('.metric-card[data-metric="pm25"]')
    expect(card.locator(".metric-value")).to_have_text("49.0")
    expect(card.locator(".metric-unit")).to_have_text("µg/m³")
    page.wait_for_function("() => document.querySelector('.chart[data-metric=\"pm25\"]')")
    page.wait_for_function(
        """() => { const el = document.querySelector('.chart[data-metric="pm25"]');
                   const c = el && window.echarts && echarts.getInstanceByDom(el);
                   return c && c.getOption().series[0].data.length === 30; }"""
    )
    option = page.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector('.chart[data-metric="pm25"]'))
                 .getOption().series[0]"""
    )
    assert [p[1] for p in option["data"]] == [20 + i for i in range(30)]
    assert {line["yAxis"] for line in option["markLine"]["data"]} == {0, 1500}
    expect(page.locator("#live.is-live")).to_be_visible()

    # live: a reading sent now is appended to the open chart and shown in its card
    one = {"ts": int((T0 - timedelta(seconds=30)).timestamp() * 1000), "values": {"pm25": 77}}
    more = httpx.post(
        f"{live_server}/api/v1/telemetry", json=one, headers={"X-Device-Token": token}
    )
    assert more.status_code == 200, more.text
    expect(card.locator(".metric-value")).to_have_text("77.0", timeout=15_000)
    page.wait_for_function(
        """() => echarts.getInstanceByDom(document.querySelector('.chart[data-metric="pm25"]'))
                 .getOption().series[0].data.length === 31""",
        timeout=15_000,
    )
    assert chart_points(page, "pm25") == 31

    # the range picker asks the hourly rollups for 30 days (none rolled up yet: an empty chart)
    page.locator('[data-range="30d"]').click()
    expect(page.locator('[data-range="30d"]')).to_have_attribute("aria-pressed", "true")

    # the dead letter, its payload as text (no element made from it)
    page.goto(f"/console/sensing/dead-letters?device={CODE}")
    item = page.locator(".dead-item").first
    expect(item.locator(".payload")).to_have_text("<img src=x onerror=alert(1)> not json")
    assert page.locator(".dead-item img").count() == 0
    expect(page.locator('#reason-chips [data-reason="malformed_json"]')).to_be_visible()


def test_import_refuses_a_bad_row_then_imports(
    new_page: NewPage, admin: str, http: httpx.Client, tmp_path: Path
) -> None:
    stored = http.get(f"/api/v1/sensing/devices/{CODE}").json()
    lon, lat = stored["lon"], stored["lat"]
    bad = tmp_path / "devices.csv"
    bad.write_text(
        "设备编码,设备类型,经度,纬度,名称\n"
        f"E2E-IMP-1,air_quality,{lon},{lat},一号\n"
        f"E2E-IMP-2,no_such_type,{lon},{lat},二号\n"
        f"E2E-IMP-3,air_quality,{lon},{lat},三号\n",
        encoding="utf-8",
    )
    page = new_page()
    sign_in(page, admin)
    page.goto("/console/devices")
    page.locator("#open-import").click()
    page.locator("#i-file").set_input_files(str(bad))
    page.locator("#import-form button[type=submit]").click()
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(0)).to_have_text("3")
    expect(errors.first.locator("td").nth(1)).to_have_text("type_code")
    assert http.get("/api/v1/sensing/devices", params={"q": "E2E-IMP"}).json()["total"] == 0

    good = tmp_path / "devices-fixed.csv"
    good.write_text(bad.read_text("utf-8").replace("no_such_type", "air_quality"), "utf-8")
    page.locator("#i-file").set_input_files(str(good))
    page.locator("#import-form button[type=submit]").click()
    expect(page.locator("#import-result [data-imported]")).to_have_attribute("data-imported", "3")
    assert http.get("/api/v1/sensing/devices", params={"q": "E2E-IMP"}).json()["total"] == 3


def test_staff_without_sensing_get_403(new_page: NewPage, admin: str, live_server: str) -> None:
    page = new_page()
    sign_in(page, "cit9")
    response = page.goto("/console/devices")
    assert response is not None
    assert response.status == 403
    expect(page.locator("#sensing-denied")).to_be_visible()
    expect(page.locator('.mainnav a[data-nav="devices"]')).to_be_hidden()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("width", [1920, 390])
def test_pages_fit_and_screenshots(
    new_page: NewPage, admin: str, http: httpx.Client, width: int, lang: str
) -> None:
    page = new_page(lang)
    page.set_viewport_size({"width": width, "height": 1000 if width > 500 else 844})
    sign_in(page, admin)
    short = "zh" if lang == "zh-CN" else "en"
    page.goto("/console/devices")
    expect(page.locator("#device-table table")).to_be_visible()
    page.locator("#open-register").click()
    page.wait_for_timeout(300)
    no_overflow(page)
    snap(page, f"devices-{width}-{short}")
    page.goto(f"/console/devices/{CODE}")
    page.wait_for_function(
        """() => { const el = document.querySelector('.chart[data-metric="pm25"]');
                   const c = el && window.echarts && echarts.getInstanceByDom(el);
                   return c && c.getOption().series[0].data.length > 0; }"""
    )
    no_overflow(page)
    snap(page, f"device-{width}-{short}")
    page.goto("/console/sensing/dead-letters")
    expect(page.locator(".dead-item").first).to_be_visible()
    no_overflow(page)
    snap(page, f"dead-letters-{width}-{short}")
