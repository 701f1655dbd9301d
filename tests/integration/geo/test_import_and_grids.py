"""The generic importer (parents by alias and by containment, fallback to the smallest area),
the generated grid layer, the demo city and index refresh — on a small synthetic city."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import shapely
from fastapi.testclient import TestClient
from geo_shapes import feature_collection
from shapely.geometry import shape
from sqlalchemy import text

from cityops.app import Platform
from cityops.geo.public import (
    AreaLevel,
    CoordSystem,
    GenerateGrids,
    GeoService,
    ImportAreas,
    features_from_geojson,
    wgs84_to_gcj02,
)
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.kernel.errors import Conflict, PermissionDenied, ValidationFailed

# district 121.00..121.04 x 31.00..31.02; one street in its west half; two communities; one grid
# covering only the west half of community S1-1
DISTRICT = shapely.box(121.00, 31.00, 121.04, 31.02)
STREET = shapely.box(121.00, 31.00, 121.02, 31.02)
C1 = shapely.box(121.00, 31.00, 121.02, 31.01)
C2 = shapely.box(121.00, 31.01, 121.02, 31.02)
GRID = shapely.box(121.00, 31.00, 121.01, 31.01)
T = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def town(platform: Platform) -> Platform:
    steps = [
        ImportAreas(
            features_from_geojson(feature_collection(({}, DISTRICT))),
            AreaLevel.district,
            code="330199",
            name="测试区",
        ),
        ImportAreas(
            features_from_geojson(feature_collection(({"name": "一街道", "code": "S1"}, STREET))),
            AreaLevel.street,
            parent="330199",
            code_prop="code",
        ),
        ImportAreas(
            features_from_geojson(
                feature_collection(
                    ({"name": "北社区", "code": "S1-2", "street": "S1"}, C2),
                    ({"name": "南社区", "code": "S1-1", "street": "S1"}, C1),
                )
            ),
            AreaLevel.community,
            code_prop="code",
            parent_by_prop="street",
        ),
        # no parent hint: the parent is found by containment
        ImportAreas(
            features_from_geojson(
                feature_collection(({"name": "南社区第一网格", "code": "G-1"}, GRID))
            ),
            AreaLevel.grid,
            code_prop="code",
        ),
    ]
    with platform.uow() as uow:
        for cmd in steps:
            platform.geo.import_areas(uow, SYSTEM, cmd)
    return platform


def test_codes_and_parents_of_the_synthetic_town(town: Platform) -> None:
    with town.read() as s:
        got = {(f.ref.alias, f.ref.code, f.parent_code) for f in town.geo.list_features(s)}
    assert got == {
        (None, "330199", None),
        ("S1", "330199001", "330199"),
        ("S1-1", "330199001001", "330199001"),
        ("S1-2", "330199001002", "330199001"),
        ("G-1", "330199001001001", "330199001001"),
    }


@pytest.mark.parametrize(
    ("lon", "lat", "smallest"),
    [
        (121.005, 31.005, "330199001001001"),  # in the grid
        (121.015, 31.005, "330199001001"),  # in community S1-1 but in no grid: 属地兜底
        (121.015, 31.015, "330199001002"),  # in community S1-2, which has no grids at all
        (121.03, 31.01, "330199"),  # in the district, in no street
    ],
)
def test_locate_falls_back_to_the_smallest_enclosing_area(
    town: Platform, lon: float, lat: float, smallest: str
) -> None:
    with town.read() as s:
        chain = town.geo.locate(s, lon, lat)
    assert chain.smallest.code == smallest
    assert chain.areas[0].code == "330199"
    assert all(smallest.startswith(a.code) for a in chain.areas)


def test_gcj02_input_in_the_service(town: Platform) -> None:
    glon, glat = wgs84_to_gcj02(121.005, 31.005)
    with town.read() as s:
        assert town.geo.locate(s, glon, glat, CoordSystem.gcj02).smallest.alias == "G-1"


def test_a_file_in_gcj02_is_stored_in_wgs84(platform: Platform) -> None:
    gcj = shapely.transform(DISTRICT, lambda xy: [wgs84_to_gcj02(x, y) for x, y in xy])
    with platform.uow() as uow:
        platform.geo.import_areas(
            uow,
            SYSTEM,
            ImportAreas(
                features_from_geojson(feature_collection(({"name": "测试区"}, gcj))),
                AreaLevel.district,
                code="330199",
                crs=CoordSystem.gcj02,
            ),
        )
    with platform.read() as s:
        stored = shape(platform.geo.get_feature(s, "330199").geometry)
    assert stored.symmetric_difference(DISTRICT).area < 1e-12


def test_the_index_sees_areas_this_process_imports_at_once(platform: Platform) -> None:
    with platform.read() as s, pytest.raises(ValidationFailed):
        platform.geo.locate(s, 121.01, 31.01)
    with platform.uow() as uow:
        platform.geo.import_areas(
            uow,
            SYSTEM,
            ImportAreas(
                features_from_geojson(feature_collection(({}, DISTRICT))),
                AreaLevel.district,
                code="330199",
                name="测试区",
            ),
        )
    with platform.read() as s:
        assert platform.geo.locate(s, 121.01, 31.01).smallest.code == "330199"


def test_the_index_refreshes_after_a_minute_when_another_process_wrote(
    town: Platform,
) -> None:
    now = [1000.0]
    geo = GeoService(town.clock, monotonic=lambda: now[0])
    with town.read() as s:
        assert geo.locate(s, 121.03, 31.01).smallest.code == "330199"
    # another process adds a street (written behind this process's back)
    with town.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO areas (code, name, level, parent_code, alias, geometry, min_lon,"
                " min_lat, max_lon, max_lat, created_at, updated_at) VALUES ('330199002', '二街道',"
                " 'street', '330199', NULL, :g, 121.02, 31.0, 121.04, 31.02, :t, :t)"
            ),
            {"g": shapely.to_geojson(shapely.box(121.02, 31.0, 121.04, 31.02)), "t": T},
        )
    now[0] += 30
    with town.read() as s:
        assert geo.locate(s, 121.03, 31.01).smallest.code == "330199"  # not checked yet
    now[0] += 31
    with town.read() as s:
        assert geo.locate(s, 121.03, 31.01).smallest.code == "330199002"


def test_grids_are_generated_only_where_none_exist(town: Platform) -> None:
    with town.uow() as uow:
        result = town.geo.generate_grids(uow, SYSTEM, GenerateGrids(rows=2, cols=3))
    assert result.areas == ("330199001002",)
    assert result.skipped == ("330199001001",)
    assert result.cells == 6
    with town.read() as s:
        cells = town.geo.list_features(s, AreaLevel.grid, "330199001002")
        assert [c.ref.code for c in cells] == [f"330199001002{n:03d}" for n in range(1, 7)]
        for cell in cells:
            assert shape(cell.geometry).difference(C2).area < 1e-12
        assert shapely.union_all([shape(c.geometry) for c in cells]).area == pytest.approx(C2.area)
        chain = town.geo.locate(s, 121.015, 31.015)
    assert chain.smallest.level is AreaLevel.grid
    assert chain.at(AreaLevel.community).code == "330199001002"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("codes", "error", "code"),
    [
        (("S1-1",), Conflict, "grids_exist"),
        (("S1",), ValidationFailed, "grids_below"),  # a street with communities
        (("330199",), ValidationFailed, "not_a_grid_parent"),
        (("nowhere",), Exception, "unknown_area"),
    ],
)
def test_grid_generation_refuses_bad_targets(
    town: Platform, codes: tuple[str, ...], error: type[Exception], code: str
) -> None:
    with pytest.raises(error) as err, town.uow() as uow:
        town.geo.generate_grids(uow, SYSTEM, GenerateGrids(codes))
    assert getattr(err.value, "code", None) == code


def test_a_street_without_any_parent_is_refused(platform: Platform) -> None:
    cmd = ImportAreas(
        features_from_geojson(feature_collection(({"name": "孤街道"}, STREET))), AreaLevel.street
    )
    with pytest.raises(ValidationFailed) as err, platform.uow() as uow:
        platform.geo.import_areas(uow, SYSTEM, cmd)
    assert err.value.code == "parent_not_found"
    assert "孤街道" in err.value.message


def test_a_feature_without_a_name_is_refused(platform: Platform) -> None:
    cmd = ImportAreas(
        features_from_geojson(feature_collection(({}, DISTRICT))), AreaLevel.district, code="330199"
    )
    with pytest.raises(ValidationFailed) as err, platform.uow() as uow:
        platform.geo.import_areas(uow, SYSTEM, cmd)
    assert err.value.code == "name_missing"


@pytest.mark.parametrize("role", [Role.operator, Role.dispatcher, Role.inspector])
def test_only_administrators_change_areas(platform: Platform, role: Role) -> None:
    actor = Actor(user_id=5, username="u", roles=frozenset({role}))
    cmd = ImportAreas(
        features_from_geojson(feature_collection(({"name": "x"}, DISTRICT))), AreaLevel.district
    )
    with platform.uow() as uow:
        with pytest.raises(PermissionDenied):
            platform.geo.import_areas(uow, actor, cmd)
        with pytest.raises(PermissionDenied):
            platform.geo.generate_grids(uow, actor, GenerateGrids())
        with pytest.raises(PermissionDenied):
            platform.geo.generate_demo_city(uow, actor)
    with platform.read() as s:
        assert platform.geo.list_areas(s) == []


def test_the_demo_city_is_a_full_hierarchy(platform: Platform) -> None:
    with platform.uow() as uow:
        counts = platform.geo.generate_demo_city(uow, SYSTEM)
    assert counts == {"city": 1, "district": 2, "street": 6, "community": 18, "grid": 72}
    with platform.read() as s:
        city = shape(platform.geo.get_feature(s, "330100").geometry)
        point = city.centroid
        chain = platform.geo.locate(s, point.x - 0.001, point.y + 0.001)
        grids = platform.geo.list_features(s, AreaLevel.grid)
    assert [a.level for a in chain.areas] == list(AreaLevel)
    assert chain.areas[0].name == "示范市"
    assert chain.smallest.code.startswith(chain.areas[1].code)
    assert sum(shape(g.geometry).area for g in grids) == pytest.approx(city.area)


# community S1-2 (北社区, C2) as the city's own grid layer draws it: two halves
C2_WEST = shapely.box(121.00, 31.01, 121.01, 31.02)
C2_EAST = shapely.box(121.01, 31.01, 121.02, 31.02)
GENERATED_C2 = tuple(f"330199001002{n:03d}" for n in range(1, 7))


def _import_real_grids_of_c2(town: Platform) -> Any:
    cmd = ImportAreas(
        features_from_geojson(
            feature_collection(
                ({"name": "北社区第一网格", "code": "G-2-1"}, C2_WEST),
                ({"name": "北社区第二网格", "code": "G-2-2"}, C2_EAST),
            )
        ),
        AreaLevel.grid,
        code_prop="code",
    )
    with town.uow() as uow:
        return town.geo.import_areas(uow, SYSTEM, cmd)


def test_real_grids_retire_the_generated_ones_of_their_community(
    town: Platform, client: TestClient
) -> None:
    with town.uow() as uow:
        town.geo.generate_grids(uow, SYSTEM, GenerateGrids(rows=2, cols=3))
    with town.read() as s:
        assert town.geo.locate(s, 121.005, 31.015).smallest.generated

    result = _import_real_grids_of_c2(town)

    assert result.retired == GENERATED_C2
    assert not set(result.created) & set(GENERATED_C2)  # codes are never given out twice
    with town.read() as s:
        grids = town.geo.list_features(s, AreaLevel.grid, "330199001002")
        assert sorted(g.ref.alias for g in grids) == ["G-2-1", "G-2-2"]  # no overlap left
        for lon, alias in [(121.005, "G-2-1"), (121.015, "G-2-2")]:
            found = town.geo.locate(s, lon, 31.015).smallest
            assert (found.alias, found.generated, found.retired) == (alias, False, False)
        # a retired grid still resolves, for what was filed in it
        old = town.geo.chain_of(s, GENERATED_C2[0])
        assert (old.smallest.generated, old.smallest.retired) == (True, True)
        assert old.at(AreaLevel.community).code == "330199001002"  # type: ignore[union-attr]
        assert town.geo.list_features(s, AreaLevel.grid, "330199001001")[0].ref.alias == "G-1"
        # an address naming a retired grid finds the community it lay in
        named = town.geo.place_for_address(s, "北社区第1网格门口")
        assert named is not None
        assert (named.area.code, named.matched) == ("330199001002", "北社区")
    feature = client.get(f"/api/v1/areas/{GENERATED_C2[0]}").json()
    assert (feature["properties"]["generated"], feature["properties"]["retired"]) == (True, True)

    # generating again skips both communities (real grids), importing again retires nothing
    with town.uow() as uow:
        again = town.geo.generate_grids(uow, SYSTEM, GenerateGrids())
    assert (again.areas, again.cells) == ((), 0)
    assert again.skipped == ("330199001001", "330199001002")
    assert _import_real_grids_of_c2(town).retired == ()


def test_real_grids_leave_other_communities_generated_grids_alone(town: Platform) -> None:
    with town.uow() as uow:
        town.geo.generate_grids(uow, SYSTEM, GenerateGrids(rows=2, cols=3))
        cmd = ImportAreas(
            features_from_geojson(
                feature_collection(({"name": "南社区第二网格", "code": "G-1-2"}, C1))
            ),
            AreaLevel.grid,
            code_prop="code",
        )
        result = town.geo.import_areas(uow, SYSTEM, cmd)  # into S1-1, which had real grids only
    assert result.retired == ()
    with town.read() as s:
        grids = town.geo.list_features(s, AreaLevel.grid, "330199001002")
    assert [g.ref.code for g in grids] == list(GENERATED_C2)
