"""LTTB: the ends kept, at most N points, peaks and troughs survive, order kept."""

from __future__ import annotations

import math
import random

import pytest

from cityops.sensing.downsample import lttb


def series(n: int) -> list[tuple[float, float]]:
    return [(float(i), math.sin(i / 10)) for i in range(n)]


def test_short_series_and_small_thresholds_are_returned_whole() -> None:
    points = series(10)
    assert lttb(points, 10) == points
    assert lttb(points, 50) == points
    assert lttb(points, 2) == points
    assert lttb([], 5) == []


@pytest.mark.parametrize(("n", "threshold"), [(1000, 100), (1000, 3), (101, 100), (5000, 777)])
def test_n_points_kept_with_both_ends_in_order(n: int, threshold: int) -> None:
    points = series(n)
    kept = lttb(points, threshold)
    assert len(kept) == threshold
    assert kept[0] == points[0]
    assert kept[-1] == points[-1]
    assert [p[0] for p in kept] == sorted({p[0] for p in kept})  # increasing, no repeats
    assert set(kept) <= set(points)


def test_a_lone_spike_survives_where_an_average_would_hide_it() -> None:
    rng = random.Random(7)
    points = [(float(i), 10 + rng.random()) for i in range(10_000)]
    points[6_543] = (6_543.0, 500.0)
    points[2_001] = (2_001.0, -300.0)
    kept = lttb(points, 200)
    assert (6_543.0, 500.0) in kept
    assert (2_001.0, -300.0) in kept


def test_the_point_chosen_makes_the_largest_triangle() -> None:
    # 5 points to 3: the middle bucket is points 1..3; from (0, 0) to the last point (4, 0),
    # the point farthest from that line is chosen
    points = [(0.0, 0.0), (1.0, 1.0), (2.0, -3.0), (3.0, 2.0), (4.0, 0.0)]
    assert lttb(points, 3) == [(0.0, 0.0), (2.0, -3.0), (4.0, 0.0)]
