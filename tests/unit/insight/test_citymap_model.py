"""The city map's pure arithmetic: cell sizes per zoom, bbox parsing, polygon simplification."""

from __future__ import annotations

import pytest

from cityops.insight.citymap.model import cell_size, parse_bbox, simplify_geometry, simplify_line


def test_a_cell_halves_with_each_zoom_level() -> None:
    assert cell_size(0) == pytest.approx(90.0)
    assert cell_size(12) == pytest.approx(cell_size(11) / 2)
    assert cell_size(40) == cell_size(22)


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "10,10,5,5", "0,0,200,10"])
def test_a_malformed_bbox_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"bbox|float"):
        parse_bbox(text)


def test_a_bbox_parses_and_none_is_none() -> None:
    assert parse_bbox("120.1,30.2,120.3,30.4") == (120.1, 30.2, 120.3, 30.4)
    assert parse_bbox(None) is None


def test_points_near_the_line_go_and_corners_stay() -> None:
    line = [[0.0, 0.0], [1.0, 0.00001], [2.0, 0.0], [2.0, 2.0]]
    assert simplify_line(line, 0.001) == [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0]]
    assert simplify_line(line, 0.0) == line


def test_a_ring_keeps_at_least_its_closing_triangle() -> None:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    out = simplify_geometry(square, 10.0)
    assert out["type"] == "Polygon"
    assert len(out["coordinates"][0]) >= 4
    assert out["coordinates"][0][0] == out["coordinates"][0][-1]
