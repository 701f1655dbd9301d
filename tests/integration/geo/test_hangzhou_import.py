"""Importing the real Hangzhou 下城区 grid system (../shared/data/hangzhou_xiacheng)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityops.app import Platform
from cityops.geo.public import AreaLevel
from cityops.kernel.actor import SYSTEM

from .conftest import source_shapes


def test_the_hierarchy_lands_with_counts_per_level(platform: Platform, shared_data: Path) -> None:
    with platform.uow() as uow:
        counts = platform.geo.import_hangzhou_xiacheng(uow, SYSTEM, shared_data)
    # 90 community features are 75 communities (15 drawn in several parts); 332 grid
    # features are 297 grids: each source code becomes one area
    assert counts == {"district": 1, "street": 8, "community": 75, "grid": 297}
    communities = source_shapes(shared_data, "xiacheng_communities_90.geojson", "社区编码")
    grids = source_shapes(shared_data, "xiacheng_grids.geojson", "网格编号")
    with platform.read() as s:
        assert {a.alias for a in platform.geo.list_areas(s, AreaLevel.community)} == set(
            communities
        )
        assert {a.alias for a in platform.geo.list_areas(s, AreaLevel.grid)} == set(grids)


@pytest.mark.parametrize(
    ("alias", "code", "name", "level"),
    [
        ("SQ", "330103001", "石桥街道", AreaLevel.street),
        ("WH", "330103008", "文晖街道", AreaLevel.street),
        ("SQ-3", "330103001003", "华丰社区", AreaLevel.community),
        ("WH-99", "330103008099", "外网格区域", AreaLevel.community),
        ("SQ-3-2", "330103001003002", "华丰社区第二网格", AreaLevel.grid),
        ("TS-1-2", "330103007001002", "灯芯巷社区网格2", AreaLevel.grid),
    ],
)
def test_codes_follow_the_hierarchy_and_keep_the_source_code_as_alias(
    hangzhou: Platform, alias: str, code: str, name: str, level: AreaLevel
) -> None:
    with hangzhou.read() as s:
        by_alias = hangzhou.geo.get_area(s, alias)
        by_code = hangzhou.geo.get_area(s, code)
    assert by_alias == by_code
    assert (by_code.code, by_code.name, by_code.level, by_code.alias) == (code, name, level, alias)


def test_every_child_code_extends_its_parent_code(hangzhou: Platform) -> None:
    with hangzhou.read() as s:
        features = hangzhou.geo.list_features(s)
    district = [f for f in features if f.ref.level is AreaLevel.district]
    assert [f.ref.code for f in district] == ["330103"]
    assert district[0].parent_code is None
    for f in features:
        if f.parent_code is not None:
            assert f.ref.code.startswith(f.parent_code)
            assert len(f.ref.code) == len(f.parent_code) + 3


def test_grid_parents_come_from_the_source_code(hangzhou: Platform) -> None:
    with hangzhou.read() as s:
        chain = hangzhou.geo.chain_of(s, "DX-10-3")
    assert [a.alias for a in chain.areas] == [None, "DX", "DX-10", "DX-10-3"]
    assert chain.at(AreaLevel.community) is not None
    assert chain.at(AreaLevel.community).name == "长青苑社区"  # type: ignore[union-attr]


def test_importing_again_updates_in_place(hangzhou: Platform, shared_data: Path) -> None:
    with hangzhou.read() as s:
        before = hangzhou.geo.list_areas(s)
    with hangzhou.uow() as uow:
        counts = hangzhou.geo.import_hangzhou_xiacheng(uow, SYSTEM, shared_data)
    with hangzhou.read() as s:
        after = hangzhou.geo.list_areas(s)
    assert counts == {"district": 1, "street": 8, "community": 75, "grid": 297}
    assert after == before


def test_list_filters_by_level_and_parent(hangzhou: Platform) -> None:
    with hangzhou.read() as s:
        streets = hangzhou.geo.list_areas(s, AreaLevel.street)
        in_sq = hangzhou.geo.list_areas(s, None, "SQ")  # an alias works as the parent too
        in_sq_by_code = hangzhou.geo.list_areas(s, AreaLevel.community, "330103001")
    assert len(streets) == 8
    assert [a.alias for a in in_sq] == [f"SQ-{n}" for n in range(1, 10)]
    assert in_sq_by_code == in_sq


@pytest.mark.parametrize(
    ("address", "name", "level"),
    [
        ("杭州市下城区石桥路100号", "石桥街道", AreaLevel.street),
        ("下城区石桥街道华丰社区", "华丰社区", AreaLevel.community),
        ("华丰社区第二网格里", "华丰社区第二网格", AreaLevel.grid),
    ],
)
def test_an_address_names_a_place_of_the_real_district(
    hangzhou: Platform, address: str, name: str, level: AreaLevel
) -> None:
    with hangzhou.read() as s:
        found = hangzhou.geo.place_for_address(s, address)
        assert found is not None
        assert (found.area.name, found.area.level) == (name, level)
        located = hangzhou.geo.locate(s, found.lon, found.lat)
    assert found.area.code in located.codes  # its point lies inside it
    assert found.chain.smallest == found.area
