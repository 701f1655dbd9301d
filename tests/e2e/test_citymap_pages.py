"""一图观全域 and the big screen in a real browser (WebGL through SwiftShader): 60 cases spread over
the demo city's grids and 6 devices; a shift leader opens /console/citymap, the area polygons,
the cases and the devices are drawn, layers switch, a click on a cluster zooms in; at 390 px the
page has no sideways overflow; the big screen renders at 1920 × 1080 with its figures and turns
its panels. Screenshots: /tmp/shots/citymap/*.png."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import shapely.geometry
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.geo.public import AreaLevel
from cityops.insight.public import KeySiteRow
from cityops.kernel.actor import SYSTEM
from cityops.sensing.public import NewDevice

from .conftest import CHROMIUM, CHROMIUM_ARGS, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
SHOTS = Path("/tmp/shots/citymap")
# WebGL without a GPU: Chromium's software rasteriser (SwiftShader) behind ANGLE
WEBGL_ARGS = [a for a in CHROMIUM_ARGS if a != "--disable-gpu"] + [
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--ignore-gpu-blocklist",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=WEBGL_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def placed(e2e_platform: Platform, seeded: dict[str, str], live_server: str) -> list[int]:
    p = e2e_platform
    with p.read() as s:
        token = p.org.access_token_for_user(s, "op1").access_token
        grids = p.geo.list_features(s, AreaLevel.grid)
    points = []
    for g in grids:
        pt = shapely.geometry.shape(g.geometry).representative_point()
        points.append((g.ref.code, pt.x, pt.y))
    ids = []
    with httpx.Client(base_url=live_server, timeout=10) as http:
        for i in range(60):
            code, lon, lat = points[(i * 7) % len(points)]
            r = http.post(
                "/api/v1/cases",
                json={
                    "source": "hotline" if i % 3 else "web",
                    "title": f"路面破损 {i}",
                    "description": "人行道地砖松动",
                    "area_code": code,
                    "category_code": "A1103",
                    "lon": lon,
                    "lat": lat,
                },
                headers={"Authorization": f"Bearer {token}"},
            )
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
    with p.uow() as uow:
        for i in range(6):
            _code, lon, lat = points[(i * 11) % len(points)]
            p.sensing.register_device(
                uow.session, SYSTEM, NewDevice(f"MAP-AQ-{i}", "air_quality", lon, lat)
            )
    return ids


def _ready(page: Any) -> None:
    expect(page.locator("body[data-ready='1']")).to_have_count(1, timeout=30_000)


def _visibility(page: Any, layer: str) -> str:
    return str(page.evaluate(f"cityMap.getLayoutProperty('{layer}', 'visibility') ?? 'visible'"))


def test_the_city_map_draws_switches_layers_and_zooms_into_a_cluster(
    new_page: NewPage, placed: list[int]
) -> None:
    page = new_page("zh-CN")
    page.set_viewport_size({"width": 1920, "height": 1080})
    sign_in(page, "lead1")
    page.goto("/console/citymap?max_points=0")
    _ready(page)
    assert page.evaluate("cityMap.getSource('areas')._data.features.length") > 0
    cells = page.evaluate("cityMap.getSource('cases')._data.features")
    assert cells
    assert all(f["properties"]["cell"] for f in cells)
    assert sum(f["properties"]["count"] for f in cells) == len(placed)
    assert page.evaluate("cityMap.getSource('devices')._data.features.length") > 0
    assert _visibility(page, "cases-heat") == "none"
    page.locator("[data-layer='heat']").check()
    assert _visibility(page, "cases-heat") == "visible"
    page.locator("[data-layer='devices']").uncheck()
    assert _visibility(page, "devices-circle") == "none"
    page.locator("[data-layer='devices']").check()
    assert _visibility(page, "devices-circle") == "visible"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "citymap_1920.png"))
    # a click on the biggest cluster zooms in there
    before = page.evaluate("cityMap.getZoom()")
    page.locator("[data-layer='heat']").uncheck()
    x, y = page.evaluate(
        """() => {
          const fs = cityMap.getSource('cases')._data.features;
          const f = fs.reduce((a, b) => (b.properties.count > a.properties.count ? b : a));
          const p = cityMap.project(f.geometry.coordinates);
          const r = cityMap.getCanvas().getBoundingClientRect();
          return [r.left + p.x, r.top + p.y];
        }"""
    )
    page.mouse.click(x, y)
    page.wait_for_function(f"cityMap.getZoom() > {before} + 1", timeout=10_000)


def test_the_key_site_layer_shows_a_site_and_the_open_cases_near_it(
    new_page: NewPage, e2e_platform: Platform, placed: list[int]
) -> None:
    p = e2e_platform
    with p.read() as s:
        grid = p.geo.list_features(s, AreaLevel.grid)[0]
    pt = shapely.geometry.shape(grid.geometry).representative_point()  # where cases were put
    with p.uow() as uow:
        p.key_sites.import_sites(
            uow.session,
            SYSTEM,
            [KeySiteRow(2, "school", "地图测试小学", pt.x, pt.y, "测试路 1 号")],
            replace=True,
        )
    page = new_page("zh-CN")
    page.set_viewport_size({"width": 1920, "height": 1080})
    sign_in(page, "lead1")
    page.goto("/console/citymap")
    _ready(page)
    assert _visibility(page, "keysites-symbol") == "none"
    page.locator("[data-layer='keysites']").check()
    expect(page.locator("body[data-keysites]")).to_have_count(1, timeout=10_000)
    assert _visibility(page, "keysites-symbol") == "visible"
    names = page.evaluate(
        "cityMap.getSource('keysites')._data.features.map((f) => f.properties.name)"
    )
    assert "地图测试小学" in names
    expect(page.locator("#cm-legend [data-kind='school']")).to_contain_text("学校")
    # the site's popup: its name, kind, address and the open cases near it, a link to them
    for layer in ("cases", "devices"):
        page.locator(f"[data-layer='{layer}']").uncheck()
    page.evaluate(
        """() => {
          const f = cityMap.getSource('keysites')._data.features
            .find((x) => x.properties.name === '地图测试小学');
          cityMap.jumpTo({ center: f.geometry.coordinates, zoom: 15 });
        }"""
    )
    page.wait_for_function("cityMap.loaded()", timeout=10_000)
    x, y = page.evaluate(
        """() => {
          const p = cityMap.project(cityMap.getCenter());
          const r = cityMap.getCanvas().getBoundingClientRect();
          return [r.left + p.x, r.top + p.y];
        }"""
    )
    page.mouse.click(x, y)
    popup = page.locator(".keysite-popup")
    expect(popup).to_contain_text("地图测试小学", timeout=10_000)
    expect(popup).to_contain_text("学校")
    expect(popup).to_contain_text("测试路 1 号")
    link = popup.locator("a.keysite-cases")
    href = link.get_attribute("href") or ""
    assert href.startswith("/cases?bbox=")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "citymap_keysites_1920.png"))
    link.click()
    expect(page.locator("#queue-filters [data-filter='bbox']")).to_be_visible(timeout=10_000)


def test_a_single_case_and_the_phone_layout(new_page: NewPage, placed: list[int]) -> None:
    page = new_page("en")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "lead1")
    page.goto("/console/citymap")
    _ready(page)
    points = page.evaluate("cityMap.getSource('cases')._data.features")
    assert {f["properties"]["id"] for f in points} <= set(placed)
    assert all(not f["properties"]["cell"] for f in points)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SHOTS / "citymap_390.png"), full_page=True)


def test_the_big_screen_renders_at_1920_by_1080_and_turns_its_panels(
    new_page: NewPage, placed: list[int]
) -> None:
    page = new_page("zh-CN")
    page.set_viewport_size({"width": 1920, "height": 1080})
    sign_in(page, "lead1")
    page.goto("/console/bigscreen?rotate=2")
    _ready(page)
    expect(page.locator("#kpi-open")).not_to_have_text("–")
    assert int(page.locator("#kpi-open").inner_text().replace(",", "")) == len(placed)
    assert page.evaluate("document.documentElement.scrollHeight <= 1080")
    first = page.evaluate("document.body.dataset.slide")
    page.wait_for_function(f"document.body.dataset.slide !== '{first}'", timeout=6_000)
    page.screenshot(path=str(SHOTS / "bigscreen_1920x1080.png"))
