"""The area lists of a vital-signs run come from geo's index in memory (`GeoService.area_refs`),
not from a read of every area with its polygon on each run: the same areas as `list_areas`, no
statement once the index is warm, and areas imported by this process seen at once."""

from __future__ import annotations

import shapely
from tests.support.geo_shapes import feature_collection
from tests.support.query_count import count_statements

from cityops.app import Platform
from cityops.geo.public import AreaLevel, ImportAreas, features_from_geojson
from cityops.insight.vitals.definitions import SpatialLevel
from cityops.insight.vitals_runtime.areas import load_areas
from cityops.kernel.actor import SYSTEM


def test_area_refs_are_list_areas_without_the_shapes(platform: Platform) -> None:
    with platform.uow() as uow:
        platform.geo.generate_demo_city(uow, SYSTEM)
    with platform.read() as s:
        for level in AreaLevel:
            listed = [r for r in platform.geo.list_areas(s, level) if not r.retired]
            assert platform.geo.area_refs(s, level) == listed, level
        assert platform.geo.area_refs(s, AreaLevel.street)  # the demo city has streets


def test_a_run_loads_its_areas_without_a_statement_once_the_index_is_warm(
    platform: Platform,
) -> None:
    with platform.uow() as uow:
        platform.geo.generate_demo_city(uow, SYSTEM)
    with platform.read() as s:
        platform.geo.load_index(s)
        with count_statements(platform.engine) as ran:
            areas = load_areas(platform.geo, s)
    assert ran.count == 0, str(ran)
    streets = areas.of(SpatialLevel.street)
    assert streets
    assert all(r.level is AreaLevel.street for r in streets)

    # an area imported by this process is in the next run's lists at once
    district = areas.of(SpatialLevel.district)[0]
    with platform.uow() as uow:
        platform.geo.import_areas(
            uow,
            SYSTEM,
            ImportAreas(
                features_from_geojson(
                    feature_collection(({"name": "新街道", "code": "NEW"}, _inside(platform)))
                ),
                AreaLevel.street,
                parent=district.code,
                code_prop="code",
            ),
        )
    with platform.read() as s:
        again = load_areas(platform.geo, s)
    assert "新街道" in {r.name for r in again.of(SpatialLevel.street)}
    assert len(again.of(SpatialLevel.street)) == len(streets) + 1


def _inside(platform: Platform) -> object:
    """A small square inside the first district (its representative point, ±0.0005°)."""
    with platform.read() as s:
        district = platform.geo.area_refs(s, AreaLevel.district)[0]
        lon, lat = platform.geo.representative_point(s, district.code)
    return shapely.box(lon - 0.0005, lat - 0.0005, lon + 0.0005, lat + 0.0005)
