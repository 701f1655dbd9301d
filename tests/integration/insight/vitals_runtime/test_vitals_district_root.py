"""City vital signs where the areas stop at a district (the real Hangzhou data is 下城区 and what
lies below it): the root is both the `city` and a `district`, so its board holds the indicators
of either level, and its drill-down lists its streets — never the root itself among the
districts. A level missing below a parent (二镇: grids straight under the street, no community)
is skipped to the next one that has areas there."""

from __future__ import annotations

from datetime import timedelta

import pytest
import shapely
from tests.support.geo_shapes import feature_collection

from cityops.app import Platform
from cityops.geo.public import AreaLevel, ImportAreas, features_from_geojson
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.kernel.clock import FixedClock
from cityops.kernel.errors import NotFound

COUNTY = "330199"  # 测试县, the root: no city above it
S1, S2, S3 = "330199001", "330199002", "330199003"  # 一街道, 二镇, 三镇
BOSS = Actor(user_id=1, username="boss", roles=frozenset({Role.leader}))
DEFS = """
indicators:
  - code: t_all
    name: {zh: 全级测试, en: All levels test}
    unit: ""
    category: city_order
    source: series
    series: t.all
    refresh: 1h
    levels: [city, district, street, community, grid]
    direction: higher_is_worse
  - code: t_district
    name: {zh: 区级测试, en: District test}
    unit: ""
    category: city_order
    source: series
    series: t.district
    refresh: 1h
    levels: [district, street]
    direction: higher_is_worse
  - code: t_city
    name: {zh: 市级测试, en: City test}
    unit: ""
    category: city_order
    source: series
    series: t.city
    refresh: 1h
    levels: [city, district]
    direction: higher_is_worse
"""


def _import(platform: Platform, level: AreaLevel, parent: str | None, *features: object) -> None:
    cmd = ImportAreas(
        features_from_geojson(feature_collection(*features)),  # type: ignore[arg-type]
        level,
        parent=parent,
        code_prop="code" if parent else None,
        code=None if parent else COUNTY,
        name=None if parent else "测试县",
    )
    with platform.uow() as uow:
        platform.geo.import_areas(uow, SYSTEM, cmd)


@pytest.fixture
def county(platform: Platform, clock: FixedClock) -> Platform:
    _import(platform, AreaLevel.district, None, ({}, shapely.box(121.00, 31.00, 121.04, 31.03)))
    _import(
        platform,
        AreaLevel.street,
        COUNTY,
        ({"name": "一街道", "code": "S1"}, shapely.box(121.00, 31.00, 121.02, 31.02)),
        ({"name": "二镇", "code": "S2"}, shapely.box(121.02, 31.00, 121.04, 31.02)),
        ({"name": "三镇", "code": "S3"}, shapely.box(121.00, 31.02, 121.04, 31.03)),
    )
    _import(
        platform,
        AreaLevel.community,
        "S1",
        ({"name": "一社区", "code": "S1-1"}, shapely.box(121.00, 31.00, 121.02, 31.02)),
    )
    _import(
        platform,
        AreaLevel.grid,
        S2,
        ({"name": "二镇第一网格", "code": "G2-1"}, shapely.box(121.02, 31.00, 121.03, 31.02)),
        ({"name": "二镇第二网格", "code": "G2-2"}, shapely.box(121.03, 31.00, 121.04, 31.02)),
    )
    at = clock.now() - timedelta(minutes=5)
    with platform.uow() as uow:
        platform.vitals.import_definitions(uow.session, SYSTEM, DEFS)
        for series in ("t.all", "t.district", "t.city"):
            platform.vitals.import_series(
                uow.session, SYSTEM, series, [(COUNTY, at, 7.0), (S1, at, 3.0), (S2, at, 5.0)]
            )
    with platform.uow() as uow:
        platform.vitals.evaluate_due(uow, clock.now())
    return platform


def test_the_board_of_a_district_root_holds_city_and_district_indicators(
    county: Platform,
) -> None:
    with county.read() as s:
        assert county.geo.root_area(s).code == COUNTY
        board = county.vitals.board(s, BOSS)
    assert (board.area_code, board.area_name, board.area_level) == (COUNTY, "测试县", "city")
    # t_district (district and street only) is computed at the root as a district: it is shown
    # (the definitions were merged into the shipped catalogue: only the test's own are compared)
    assert {i.code: i.value for i in board.items if i.code.startswith("t_")} == {
        "t_all": 7.0,
        "t_district": 7.0,
        "t_city": 7.0,
    }
    with county.read() as s:
        trend = county.vitals.trend(s, BOSS, "t_district")
    assert [p.value for p in trend.points] == [7.0]


def test_the_drill_down_of_a_district_root_lists_its_streets_not_itself(
    county: Platform,
) -> None:
    with county.read() as s:
        areas = county.vitals.areas(s, BOSS, "t_all")
    assert areas.parent_code == COUNTY
    assert areas.level == "street"
    assert [(i.area_code, i.value) for i in areas.items] == [(S2, 5.0), (S1, 3.0), (S3, None)]
    assert COUNTY not in {i.area_code for i in areas.items}
    # an indicator whose levels end at the district: the root has nothing below it to show
    with county.read() as s:
        city_only = county.vitals.areas(s, BOSS, "t_city")
    assert city_only.items == ()


@pytest.mark.parametrize(
    ("parent", "level", "children"),
    [
        (S1, "community", ["330199001001"]),  # 一社区
        (S2, "grid", ["330199002001", "330199002002"]),  # no community: straight to its grids
        (S3, "community", []),  # nothing below it at all
    ],
)
def test_a_level_missing_below_a_parent_is_skipped(
    county: Platform, parent: str, level: str, children: list[str]
) -> None:
    with county.read() as s:
        areas = county.vitals.areas(s, BOSS, "t_all", parent=parent)
    assert sorted(i.area_code for i in areas.items) == children
    assert parent not in {i.area_code for i in areas.items}
    if children:
        assert areas.level == level


def test_a_viewer_bound_to_the_root_district_sees_its_board_and_streets(
    county: Platform,
) -> None:
    bound = Actor(
        user_id=2, username="boss_x", roles=frozenset({Role.leader}), area_codes=(COUNTY,)
    )
    street_bound = Actor(
        user_id=3, username="boss_s1", roles=frozenset({Role.leader}), area_codes=(S1,)
    )
    with county.read() as s:
        assert county.vitals.board(s, bound).area_code == COUNTY
        assert len(county.vitals.areas(s, bound, "t_all").items) == 3
        assert county.vitals.board(s, street_bound).area_code == S1
        with pytest.raises(NotFound):
            county.vitals.board(s, street_bound, area=COUNTY)


def test_an_area_outside_the_county_is_not_found(county: Platform) -> None:
    with county.read() as s, pytest.raises(NotFound):
        county.vitals.areas(s, BOSS, "t_all", parent="330100")
