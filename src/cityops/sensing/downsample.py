"""Largest-Triangle-Three-Buckets (LTTB) downsampling of a series for charts, without I/O.

Sveinn Steinarsson, "Downsampling Time Series for Visual Representation" (2013): the first and
last points are kept; the points between are cut into `threshold - 2` buckets of (nearly) equal
count, and from each bucket the point is kept that forms the largest triangle with the point
kept from the bucket before and the average of the bucket after. Peaks and troughs survive,
which an average per bucket would flatten.
"""

from __future__ import annotations

from collections.abc import Sequence

Point = tuple[float, float]  # (x, y): x increasing (time), y the value


def lttb(points: Sequence[Point], threshold: int) -> list[Point]:
    """At most `threshold` of `points` (sorted by x), chosen by LTTB; all of them when there are
    no more than `threshold` or `threshold` < 3."""
    n = len(points)
    if threshold >= n or threshold < 3:
        return list(points)
    kept = [points[0]]
    every = (n - 2) / (threshold - 2)
    a = 0  # index of the point kept last
    for i in range(threshold - 2):
        start = int(i * every) + 1
        end = int((i + 1) * every) + 1
        # the average of the next bucket (the last point for the last bucket)
        span = points[end : min(int((i + 2) * every) + 1, n)]
        avg_x = sum(p[0] for p in span) / len(span)
        avg_y = sum(p[1] for p in span) / len(span)
        ax, ay = points[a]
        best = start
        best_area = -1.0
        for j in range(start, end):
            x, y = points[j]
            area = abs((ax - avg_x) * (y - ay) - (ax - x) * (avg_y - ay))
            if area > best_area:
                best_area = area
                best = j
        kept.append(points[best])
        a = best
    kept.append(points[-1])
    return kept
