"""The 城市体征 console page in a real browser: a hot day imported as a series and evaluated, then
a leader opens the board — tiles grouped by category, the maximum temperature coloured orange —
and a second evaluation over hotter data turns that tile red through the live event stream,
without a reload; a tile opens the trend, its axis fitted to the values and the next level (the
thresholds beyond it as labels at the edge), and the districts worst first; drilling into a
district shows its streets. Screenshots at 1920 and 390 px wide: /tmp/shots/vitals/*.png."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM

from .conftest import CHROMIUM, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
SHOTS = Path("/tmp/shots/vitals")
EAST, WEST = "330191", "330192"  # 东湖区, 西岭区 of the generated demo city
SERIES = "weather.temperature_max"
HOT = "air_temperature_max"  # yellow 35, orange 37, red 40 (city, district)
PM25 = "iaqi_pm25_24h"  # computed for the city, its districts and streets


def _heat(
    platform: Platform, city: str, values: dict[str, float], later: timedelta = timedelta(0)
) -> None:
    """The maximum temperature of the city and the districts in the hour before `later` from
    now, then an evaluation at that instant (the clock stays: the console's session would
    time out if it moved an hour)."""
    now = platform.clock.now() + later
    points = [(area, now - timedelta(minutes=5), value) for area, value in values.items()]
    points.append((city, now - timedelta(minutes=5), max(values.values())))
    with platform.uow() as uow:
        platform.vitals.import_series(uow.session, SYSTEM, SERIES, points)
    with platform.uow() as uow:
        platform.vitals.evaluate_due(uow, now)


@pytest.fixture(scope="module")
def city_code(e2e_platform: Platform, seeded: dict[str, str], live_server: str) -> str:
    with e2e_platform.read() as s:
        board = e2e_platform.vitals.board(s, SYSTEM)
    _heat(e2e_platform, board.area_code, {EAST: 38.0, WEST: 30.0})
    return board.area_code


def _thresholds(page: Any) -> dict[str, Any]:
    """The chart's y range, the colours of its threshold lines and the texts of the labels of
    the thresholds beyond the axis."""
    shown: dict[str, Any] = page.evaluate(
        r"""() => {
          const chart = echarts.getInstanceByDom(document.getElementById('vt-chart'));
          const option = chart.getOption();
          const graphic = (option.graphic ?? [])[0]?.elements ?? [];
          return {
            min: option.yAxis[0].min,
            max: option.yAxis[0].max,
            lines: option.series[0].markLine.data.map((d) => d.lineStyle.color),
            // one line per edge, a "{level|words}" segment per threshold
            edges: graphic.filter((g) => g.type === 'text').flatMap((g) =>
              [...g.style.text.matchAll(/\{(\w+)\|([^}]*)\}/g)]
                .filter((m) => m[1] !== 'gap').map((m) => m[2])),
          };
        }"""
    )
    return shown


def test_board_live_tile_detail_and_drill_down(
    new_page: NewPage, e2e_platform: Platform, city_code: str
) -> None:
    width = 1920
    page = new_page()
    page.set_viewport_size({"width": width, "height": 1080})
    sign_in(page, "lead1")
    page.goto("/console/vitals")
    expect(page.get_by_role("heading", name="城市体征", level=1)).to_be_visible()
    expect(page.locator("#vt-live")).to_contain_text("实时更新")  # the stream is open
    groups = page.locator(".vt-group h3")
    expect(groups.first).to_contain_text("气象环境")
    expect(groups).to_have_count(7)
    assert page.locator(".vt-tile").count() > 30
    hot = page.locator(f'.vt-tile[data-code="{HOT}"]')
    expect(hot).to_have_class(_has("lv-orange"))
    expect(hot).to_contain_text("38")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"board-{width}.png"), full_page=True)

    # an hour later, hotter: the evaluation's VitalChanged reaches the open page
    page.evaluate("window.__notReloaded = true")
    _heat(e2e_platform, city_code, {EAST: 41.0, WEST: 30.0}, later=timedelta(hours=1))
    expect(hot).to_have_class(_has("lv-red"), timeout=15_000)
    expect(hot).to_contain_text("41")
    assert page.evaluate("window.__notReloaded") is True

    # the tile opens the detail: the trend with a line per threshold in its colour
    hot.click()
    expect(page.locator("#vt-detail")).to_be_visible()
    expect(page.locator("#vt-board")).to_be_hidden()
    assert f"vital={HOT}" in page.url
    expect(page.locator("#vt-chart canvas")).to_have_count(1)
    # the axis fits the value (38 in the window) and the next level above it (red 40), not
    # every threshold: yellow (35) is a label at the bottom edge; each level shown once
    chart = _thresholds(page)
    assert 35 < chart["min"] <= 38, chart
    assert 40 <= chart["max"] < 45, chart
    assert "#d62828" in chart["lines"]
    labelled = [e.split()[0] for e in chart["edges"]]
    assert "黄色" in labelled
    assert all(e.endswith("↓") for e in chart["edges"])
    assert len(chart["lines"]) + len(labelled) == 3, chart
    rows = page.locator("#vt-areas tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-area", EAST)  # worst first
    expect(rows.first).to_have_class(_has("lv-red"))
    # the window ends at the clock's now: the change to orange, not yet the later one to red
    expect(page.locator("#vt-transitions li").first).to_contain_text("橙色")
    page.screenshot(path=str(SHOTS / f"detail-{width}.png"), full_page=True)

    # a 7-day window: the chart is drawn again from the server's window
    page.get_by_role("button", name="7 天").click()
    assert "window=7d" in page.url
    expect(page.get_by_role("button", name="7 天")).to_have_attribute("aria-pressed", "true")
    # a year of an hourly indicator: 12-hour buckets, the mean as the line and the least and
    # greatest value of each bucket as a shaded band behind it
    page.get_by_role("button", name="1 年").click()
    assert "window=1y" in page.url
    band = page.wait_for_function(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById('vt-chart'));
          const series = chart.getOption().series;
          const high = series.find((s) => s.id === 'band-high');
          return high && series[0].markLine && high.data.filter((d) => d[1] !== null).length;
        }"""
    )
    assert band.json_value() >= 1

    # drill-down: PM2.5 from the city's districts into 东湖区's streets
    page.locator("#vt-back").click()
    expect(page.locator("#vt-board")).to_be_visible()
    page.locator(f'.vt-tile[data-code="{PM25}"]').click()
    expect(rows.first).to_have_attribute("data-area", _starts(""))
    expect(rows).to_have_count(2)  # the two districts
    page.locator(f'#vt-areas tr[data-area="{EAST}"] button').click()
    expect(page.locator("#vt-crumbs [aria-current=page]")).to_have_text("东湖区")
    expect(rows).to_have_count(3)  # its three streets
    for code in rows.evaluate_all("(rs) => rs.map((r) => r.dataset.area)"):
        assert code.startswith(EAST)
    # the back button of the browser goes up again, the page stays
    page.go_back()
    expect(rows).to_have_count(2)
    assert page.evaluate("window.__notReloaded") is True


def _has(cls: str) -> Any:
    import re

    return re.compile(rf"(^|\s){re.escape(cls)}(\s|$)")


def _starts(prefix: str) -> Any:
    import re

    return re.compile(rf"^{re.escape(prefix)}")


def test_the_page_on_a_phone(new_page: NewPage, city_code: str) -> None:
    """390 px: two tiles a row, nothing wider than the screen, the detail below the board."""
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "lead1")
    page.goto("/console/vitals")
    tiles = page.locator(".vt-tile")
    expect(tiles.first).to_be_visible()
    boxes = [tiles.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]
    assert boxes[1]
    assert boxes[0]["y"] == boxes[1]["y"]  # side by side
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "board-390.png"), full_page=True)
    page.locator(f'.vt-tile[data-code="{HOT}"]').click()
    expect(page.locator("#vt-chart canvas")).to_have_count(1)
    expect(page.locator("#vt-areas tbody tr")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "detail-390.png"), full_page=True)
