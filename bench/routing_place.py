"""Does the place of an appeal help choose its leaf category? The place prior of smart routing
(src/cityops/appeals/routing/place.py, the functions the router runs) measured on real requests
with real places and categories → bench/results/routing_place.json.

    .venv/bin/python -m bench.routing_place [--data ../shared/data] [--every 10]

Data: ../shared/data/us311/boston_311_2015_sample_50000.csv.gz — 50,000 real Boston 311 requests
of 2015 with their TYPE (158, the leaf), REASON (the group the type belongs to), ward, precinct
and point. There is no labelled Chinese appeal with both a text and a place (the tipdm messages
are anonymised down to the district), so this measures the place part alone, on the question the
router leaves to it: the text has named the group (REASON: the board label → group step) but no
leaf, or the wrong one. The rings map the city's own nesting: street ← ward, community ←
precinct (a precinct lies in one ward), grid ← a 250 m cell inside the precinct. Requests at
the city's default point (the most frequent coordinates, ~14 % of the rows) are left out: their
place is not known.

Chronological and honest: each evaluated request sees only requests opened before it (the last
WINDOW_DAYS days), as the router sees the cases stored before an appeal; the first 30 days only
feed the history. Every `--every`-th request after that is evaluated (all of them with 1).

Compared, for each evaluated request, over the candidates of its group (every type of the
REASON seen in the city's window):
  text only   the candidates scored by the city's own mix in the window (what the router has
              without the place: the group's most frequent leaf first)
  with place  the same scores weighed by `place.weigh` with the place prior of the request
and, over every type of the city (no group known), the same two. Reported: top-1 and top-3
accuracy of the true type and its mean log-loss, with 95 % bootstrap intervals of the
differences (1,000 resamples of the evaluated requests)."""

from __future__ import annotations

import argparse
import bisect
import csv
import gzip
import json
import math
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cityops.appeals.routing.place import (
    ALPHA,
    HALF_LIFE_DAYS,
    MAX_LIFT,
    STRENGTH,
    STRONG_TEXT,
    WINDOW_DAYS,
    PlacePrior,
    nearby_cases,
    weigh,
)

FILE = Path("us311") / "boston_311_2015_sample_50000.csv.gz"
RESULTS = Path(__file__).with_name("results") / "routing_place.json"
WARM_UP_DAYS = 30
CELL_DEGREES = 0.0025  # ≈ 250 m of latitude (≈ 200 m of longitude at Boston)
EPS = 1e-6


@dataclass(frozen=True)
class Request:
    at: datetime
    type: str
    reason: str
    place: tuple[str, str, str]  # ward, precinct, cell


def read(path: Path) -> list[Request]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    points = Counter((r["LATITUDE"], r["LONGITUDE"]) for r in rows)
    default_point = points.most_common(1)[0][0]
    out = []
    for r in rows:
        ward, precinct = (r.get("ward") or "").strip(), (r.get("precinct") or "").strip()
        kind, reason = (r.get("TYPE") or "").strip(), (r.get("REASON") or "").strip()
        if not (ward and precinct and kind and reason):
            continue
        if (r["LATITUDE"], r["LONGITUDE"]) == default_point:
            continue
        try:
            lat, lon = float(r["LATITUDE"]), float(r["LONGITUDE"])
            at = datetime.strptime(r["OPEN_DT"], "%m/%d/%Y %I:%M:%S %p")
        except ValueError:
            continue
        cell = f"{precinct}:{math.floor(lat / CELL_DEGREES)}:{math.floor(lon / CELL_DEGREES)}"
        out.append(Request(at, kind, reason, (ward, precinct, cell)))
    out.sort(key=lambda q: q.at)
    return out


def _scores(candidates: Sequence[str], city: Counter[str]) -> list[tuple[str, float]]:
    """The text-only view: the city's smoothed mix over the candidates, most likely first."""
    raw = {c: city[c] + 1.0 for c in candidates}
    z = sum(raw.values())
    return sorted(((c, v / z) for c, v in raw.items()), key=lambda kv: (-kv[1], kv[0]))


def _grade(ranked: Sequence[tuple[str, float]], truth: str) -> tuple[int, int, float]:
    codes = [c for c, _ in ranked]
    p = dict(ranked).get(truth, 0.0)
    return int(codes[:1] == [truth]), int(truth in codes[:3]), -math.log(max(p, EPS))


def _interval(diffs: Sequence[float], rng: random.Random) -> list[float]:
    n = len(diffs)
    means = sorted(sum(diffs[rng.randrange(n)] for _ in range(n)) / n for _ in range(1000))
    return [round(means[25], 4), round(means[974], 4)]


def run(requests: list[Request], every: int) -> dict[str, object]:
    start = requests[0].at + timedelta(days=WARM_UP_DAYS)
    times = [q.at for q in requests]
    by_ward: dict[str, list[int]] = {}
    for i, q in enumerate(requests):
        by_ward.setdefault(q.place[0], []).append(i)
    evaluated = [i for i, q in enumerate(requests) if q.at >= start][::every]
    grades: dict[str, list[tuple[int, int, float]]] = {
        k: [] for k in ("group_text", "group_place", "city_text", "city_place")
    }
    lifted_top = 0
    for i in evaluated:
        q = requests[i]
        since = q.at - timedelta(days=WINDOW_DAYS)
        lo = bisect.bisect_left(times, since)
        window = requests[lo:i]
        city = Counter(r.type for r in window)
        group = sorted({r.type for r in window if r.reason == q.reason} | {q.type})
        ward = by_ward[q.place[0]]
        mine = ward[bisect.bisect_left(ward, lo) : bisect.bisect_left(ward, i)]
        rows = [
            (requests[j].type, requests[j].place, (q.at - requests[j].at).total_seconds() / 86400)
            for j in mine
        ]
        prior = PlacePrior(nearby_cases(q.place, rows), city, leaves=max(1, len(city)))
        for scope, candidates in (("group", group), ("city", sorted(set(city) | {q.type}))):
            text = _scores(candidates, city)
            placed = [(w.code, w.probability) for w in weigh(text, prior)]
            grades[f"{scope}_text"].append(_grade(text, q.type))
            grades[f"{scope}_place"].append(_grade(placed, q.type))
            if scope == "group" and placed[0][0] != text[0][0]:
                lifted_top += 1
    rng = random.Random(2026)
    out: dict[str, object] = {"evaluated": len(evaluated)}
    for scope in ("group", "city"):
        a, b = grades[f"{scope}_text"], grades[f"{scope}_place"]
        n = len(a)
        part: dict[str, object] = {}
        for k, name in enumerate(("top1", "top3", "log_loss")):
            part[f"{name}_text_only"] = round(sum(g[k] for g in a) / n, 4)
            part[f"{name}_with_place"] = round(sum(g[k] for g in b) / n, 4)
            part[f"{name}_difference_95ci"] = _interval(
                [y[k] - x[k] for x, y in zip(a, b, strict=True)], rng
            )
        out[scope] = part
    out["group_top_changed_by_place"] = round(lifted_top / max(1, len(evaluated)), 4)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    path = args.data / FILE
    if not path.is_file():
        print(f"{path} not found", file=sys.stderr)
        return 2
    began = time.perf_counter()
    requests = read(path)
    result = run(requests, max(1, args.every))
    report = {
        "benchmark": "routing_place",
        "what": "leaf choice with and without the place prior (appeals/routing/place.py)",
        "data": str(FILE),
        "requests_with_a_place": len(requests),
        "types": len({q.type for q in requests}),
        "groups": len({q.reason for q in requests}),
        "every": args.every,
        "settings": {
            "window_days": WINDOW_DAYS,
            "half_life_days": HALF_LIFE_DAYS,
            "alpha": ALPHA,
            "max_lift": MAX_LIFT,
            "strength": STRENGTH,
            "strong_text": STRONG_TEXT,
            "cell_degrees": CELL_DEGREES,
            "warm_up_days": WARM_UP_DAYS,
        },
        **result,
        "seconds": round(time.perf_counter() - began, 1),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
