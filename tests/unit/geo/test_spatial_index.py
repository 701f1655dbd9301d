"""The in-memory point index, shape clean-up and grid cells (pure shapely, no database)."""

from __future__ import annotations

import random

import numpy as np
import pytest
import shapely

from cityops.geo.model import AreaLevel, AreaRef
from cityops.geo.spatial import AreaIndex, grid_cells, merge_shapes, polygonal

# district 0..4 x 0..2, street 0..2 x 0..2, community 0..2 x 0..1, grid covers its west half
DISTRICT = AreaRef("330199", "D", AreaLevel.district)
STREET = AreaRef("330199001", "S", AreaLevel.street)
COMMUNITY = AreaRef("330199001001", "C", AreaLevel.community)
GRID = AreaRef("330199001001001", "G", AreaLevel.grid)
ITEMS = [
    (DISTRICT, None, shapely.box(120.0, 30.0, 120.04, 30.02)),
    (STREET, DISTRICT.code, shapely.box(120.0, 30.0, 120.02, 30.02)),
    (COMMUNITY, STREET.code, shapely.box(120.0, 30.0, 120.02, 30.01)),
    (GRID, COMMUNITY.code, shapely.box(120.0, 30.0, 120.01, 30.01)),
]


@pytest.fixture(scope="module")
def index() -> AreaIndex:
    return AreaIndex(ITEMS)


@pytest.mark.parametrize(
    ("lon", "lat", "smallest"),
    [
        (120.005, 30.005, GRID),  # inside the grid
        (120.015, 30.005, COMMUNITY),  # in the community, in no grid: 属地兜底
        (120.015, 30.015, STREET),  # in the street, in no community
        (120.03, 30.01, DISTRICT),  # in the district only
        (120.0, 30.0, GRID),  # on the corner every polygon shares: the deepest wins
    ],
)
def test_the_smallest_enclosing_area_wins(
    index: AreaIndex, lon: float, lat: float, smallest: AreaRef
) -> None:
    chain = index.locate(lon, lat)
    assert chain is not None
    assert chain.smallest == smallest
    assert chain.areas[0] == DISTRICT
    assert [a.level.rank for a in chain.areas] == sorted(a.level.rank for a in chain.areas)


@pytest.mark.parametrize(("lon", "lat"), [(121.0, 31.0), (120.05, 30.01), (-10.0, 0.0)])
def test_a_point_outside_every_area_has_no_chain(index: AreaIndex, lon: float, lat: float) -> None:
    assert index.locate(lon, lat) is None


def test_among_overlapping_areas_of_one_level_the_smaller_wins() -> None:
    big = AreaRef("1", "big", AreaLevel.grid)
    small = AreaRef("2", "small", AreaLevel.grid)
    idx = AreaIndex(
        [(big, None, shapely.box(0, 0, 10, 10)), (small, None, shapely.box(4, 4, 6, 6))]
    )
    assert idx.smallest_at(5, 5) == small
    assert idx.smallest_at(1, 1) == big


def test_an_empty_index_finds_nothing() -> None:
    assert AreaIndex([]).locate(120.0, 30.0) is None


def _city() -> list[tuple[AreaRef, str | None, shapely.Geometry]]:
    """A hexagonal district cut into streets, communities and grids, every fourth grid left
    out (a point there falls back to its community)."""
    hexagon = shapely.Polygon(
        [
            (120.0, 30.01),
            (120.02, 30.0),
            (120.04, 30.0),
            (120.05, 30.015),
            (120.03, 30.03),
            (120.01, 30.025),
        ]
    )
    district = AreaRef("330199", "D", AreaLevel.district)
    items: list[tuple[AreaRef, str | None, shapely.Geometry]] = [(district, None, hexagon)]
    for s, street in enumerate(grid_cells(hexagon, 2, 3), start=1):
        street_ref = AreaRef(f"{district.code}{s:03d}", f"S{s}", AreaLevel.street)
        items.append((street_ref, district.code, street))
        for c, community in enumerate(grid_cells(street, 2, 2), start=1):
            community_ref = AreaRef(f"{street_ref.code}{c:03d}", f"C{c}", AreaLevel.community)
            items.append((community_ref, street_ref.code, community))
            for g, grid in enumerate(grid_cells(community, 3, 3), start=1):
                if g % 4:
                    ref = AreaRef(f"{community_ref.code}{g:03d}", f"G{g}", AreaLevel.grid)
                    items.append((ref, community_ref.code, grid))
    return items


def test_the_index_finds_what_a_scan_of_every_polygon_finds() -> None:
    """Against a brute-force scan: for random points (some outside the district) and for the
    corners of every polygon (points on shared boundaries), the index answers an area that
    holds the point and is the deepest, then smallest, of those that do; None when none does."""
    items = _city()
    index = AreaIndex(items)
    geoms = np.array([geom for _, _, geom in items], dtype=object)
    keys = [(-ref.level.rank, float(geom.area)) for ref, _, geom in items]
    rng = random.Random(20261207)
    points = [(rng.uniform(119.995, 120.055), rng.uniform(29.995, 30.035)) for _ in range(1000)]
    points += [(x, y) for x, y in shapely.get_coordinates(geoms)[::3].tolist()]
    found = 0
    for lon, lat in points:
        holding = np.flatnonzero(shapely.intersects_xy(geoms, lon, lat)).tolist()
        got = index.smallest_at(lon, lat)
        if not holding:
            assert got is None, (lon, lat)
            continue
        found += 1
        assert got is not None, (lon, lat)
        (at,) = [i for i in holding if items[i][0] == got]
        assert keys[at] == min(keys[i] for i in holding), (lon, lat)
        assert index.locate(lon, lat) == index.chain_of(got.code)
    assert 500 < found < len(points)  # most points land, and some fall outside


def test_polygonal_repairs_a_bow_tie_into_valid_polygons() -> None:
    bow_tie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])
    assert not bow_tie.is_valid
    fixed = polygonal(bow_tie)
    assert fixed.is_valid
    assert fixed.geom_type in ("Polygon", "MultiPolygon")
    assert fixed.area == pytest.approx(2.0)


def test_parts_of_one_area_merge_into_a_multipolygon() -> None:
    merged = merge_shapes([shapely.box(0, 0, 1, 1), shapely.box(2, 0, 3, 1)])
    assert merged.geom_type == "MultiPolygon"
    assert merged.area == pytest.approx(2.0)


@pytest.mark.parametrize(("rows", "cols"), [(1, 1), (2, 3), (4, 4)])
def test_grid_cells_lie_inside_the_polygon_and_cover_it(rows: int, cols: int) -> None:
    # an L-shaped community: the north-east quarter is missing
    community = shapely.Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)])
    cells = grid_cells(community, rows, cols)
    assert 1 <= len(cells) <= rows * cols
    for cell in cells:
        assert cell.difference(community).area < 1e-12
    assert shapely.union_all(cells).area == pytest.approx(community.area)
    total = sum(c.area for c in cells)
    assert total == pytest.approx(community.area)  # no overlaps


def test_grid_cells_drop_slivers() -> None:
    # a triangle: the far corner cells hold almost nothing
    triangle = shapely.Polygon([(0, 0), (10, 0), (0, 10)])
    cells = grid_cells(triangle, 10, 10, min_fraction=0.2)
    full = 1.0
    assert all(c.area >= 0.2 * full for c in cells)
    assert len(cells) < 100


def test_grid_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        grid_cells(shapely.box(0, 0, 1, 1), 0, 3)


def test_the_roots_are_the_areas_without_a_parent_held(index: AreaIndex) -> None:
    assert index.roots() == [DISTRICT]
    other = AreaRef("330198", "E", AreaLevel.district)
    city = AreaRef("330100", "City", AreaLevel.city)
    both = AreaIndex([*ITEMS, (other, city.code, shapely.box(121.0, 31.0, 121.01, 31.01))])
    # by code; a parent that is not held (the city here) makes no difference
    assert both.roots() == [other, DISTRICT]
    assert AreaIndex([]).roots() == []
