"""Point → area lookup (`geo.spatial.AreaIndex.locate`) → bench/results/spatial_index.json.

    .venv/bin/python -m bench.spatial_index [--grids-per-side 4] [--points 20000]

A generated city of the real shape of a Chinese district: one district cut into 3 × 4 streets,
each street into 3 × 3 communities and each community into N × N grids (every polygon clipped
to an irregular district outline). Random points over the district's bounding box (some fall
outside) are located with the index and, for comparison, with a scan of every polygon
(`shapely.intersects_xy` over all of them, then the deepest, smallest hit). Reported: µs per
lookup (mean and p50/p99 over batches of 1,000), the areas held, the share of points found.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from bench._server import RESULTS, machine
from cityops.geo.model import AreaLevel, AreaRef
from cityops.geo.spatial import AreaIndex, grid_cells

Item = tuple[AreaRef, str | None, shapely.Geometry]
OUTLINE = shapely.Polygon(
    [(120.10, 30.26), (120.16, 30.25), (120.22, 30.27), (120.21, 30.33), (120.14, 30.34)]
)


def city(grids_per_side: int) -> list[Item]:
    district = AreaRef("330103", "D", AreaLevel.district)
    items: list[Item] = [(district, None, OUTLINE)]
    for s, street in enumerate(grid_cells(OUTLINE, 3, 4), start=1):
        street_ref = AreaRef(f"{district.code}{s:03d}", f"S{s}", AreaLevel.street)
        items.append((street_ref, district.code, street))
        for c, community in enumerate(grid_cells(street, 3, 3), start=1):
            community_ref = AreaRef(f"{street_ref.code}{c:03d}", f"C{c}", AreaLevel.community)
            items.append((community_ref, street_ref.code, community))
            cells = grid_cells(community, grids_per_side, grids_per_side)
            for g, grid in enumerate(cells, start=1):
                ref = AreaRef(f"{community_ref.code}{g:03d}", f"G{g}", AreaLevel.grid)
                items.append((ref, community_ref.code, grid))
    return items


def _scan(
    geoms: np.ndarray[Any, Any], keys: list[tuple[int, float]], lon: float, lat: float
) -> int:
    hits = np.flatnonzero(shapely.intersects_xy(geoms, lon, lat)).tolist()
    return min(hits, key=keys.__getitem__) if hits else -1


def _timed(points: list[tuple[float, float]], locate: Any) -> dict[str, float]:
    batches: list[float] = []
    for start in range(0, len(points), 1000):
        batch = points[start : start + 1000]
        t = time.perf_counter()
        for lon, lat in batch:
            locate(lon, lat)
        batches.append((time.perf_counter() - t) / len(batch) * 1e6)
    ordered = sorted(batches)
    return {
        "mean_us": round(sum(batches) / len(batches), 2),
        "p50_us": round(ordered[len(ordered) // 2], 2),
        "p99_us": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids-per-side", type=int, default=4, help="grids per community: N×N")
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--scan-points", type=int, default=2_000, help="points for the scan")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--out", type=Path, default=RESULTS / "spatial_index.json")
    args = parser.parse_args()

    items = city(args.grids_per_side)
    t = time.perf_counter()
    index = AreaIndex(items)
    build_s = time.perf_counter() - t
    geoms = np.array([geom for _, _, geom in items], dtype=object)
    keys = [(-ref.level.rank, float(geom.area)) for ref, _, geom in items]
    rng = random.Random(args.seed)
    x0, y0, x1, y1 = OUTLINE.bounds
    points = [(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(args.points)]
    index.locate(*points[0])  # the first call builds the chain cache for that area
    found = sum(index.smallest_at(lon, lat) is not None for lon, lat in points)
    report = {
        "benchmark": "spatial_index",
        "what": "AreaIndex.locate (STRtree + prepared polygons, deepest then smallest area) "
        "against a scan of every polygon, one thread",
        "areas": {
            level.value: sum(1 for ref, _, _ in items if ref.level is level)
            for level in (AreaLevel.district, AreaLevel.street, AreaLevel.community, AreaLevel.grid)
        },
        "points": args.points,
        "share_found": round(found / len(points), 3),
        "build_seconds": round(build_s, 3),
        "locate": _timed(points, index.locate),
        "scan_every_polygon": {
            "points": min(args.scan_points, len(points)),
            **_timed(points[: args.scan_points], lambda lon, lat: _scan(geoms, keys, lon, lat)),
        },
        "machine": machine(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("areas", "locate", "scan_every_polygon")}))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
