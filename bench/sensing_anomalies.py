"""Anomaly detectors on real air-quality series with planted anomalies
→ bench/results/sensing_anomalies.json.

    .venv/bin/python -m bench.sensing_anomalies [--year 2015] [--seed 7] [--radius-m 25000]
        [--csv-dir DIR] [--out FILE]

The UCI Beijing multi-site series (../shared/data/beijing_air_quality: 12 stations, hourly,
local time UTC+8) of one calendar year, PM2.5 and NO2, get labelled anomalies of each kind
planted with a fixed seed (`sensing.anomaly.injection`; neighbour disagreement only at stations
with two or more stations within the radius). The detectors run over them as a stream and are
scored per kind by event (`sensing.anomaly.evaluation`, 3 h tolerance). The same detectors also
run over the untouched series: what they find there are the genuine extremes of the real data,
which count as false positives in the scored run. Throughput: readings per second through the
streaming pipeline (all detectors, then each alone) and CPU ms per 1,000 readings.
`--csv-dir` also writes the labelled CSV and the positions file that
`cityops sensing anomalies eval --data … --positions …` reads.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench._server import RESULTS, ROOT, machine
from cityops.sensing.anomaly.public import (
    AnomalyKind,
    AnomalyPipeline,
    DetectorSettings,
    DriftParams,
    InjectionPlan,
    NeighbourDetector,
    NeighbourParams,
    Position,
    detect,
    evaluate,
    inject,
    score,
    true_events,
    write_labelled_csv,
    write_positions,
)
from cityops.sensing.model import Reading

DATA = ROOT.parent / "shared" / "data" / "beijing_air_quality"
METRICS = {"PM2.5": "pm25", "NO2": "no2"}
BEIJING = timedelta(hours=8)


def load(
    year: int, stations: int = 12
) -> tuple[dict[tuple[str, str], list[Reading]], dict[str, Position]]:
    series: dict[tuple[str, str], list[Reading]] = {}
    for path in sorted(DATA.glob("PRSA_Data_*.csv.gz"))[:stations]:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if int(row["year"]) != year:
                    continue
                local = datetime(
                    int(row["year"]), int(row["month"]), int(row["day"]), int(row["hour"])
                )
                ts = (local - BEIJING).replace(tzinfo=UTC)
                for column, metric in METRICS.items():
                    if row[column] not in ("NA", ""):
                        key = (row["station"], metric)
                        series.setdefault(key, []).append(Reading(*key, ts, float(row[column])))
    with (DATA / "stations.csv").open(encoding="utf-8", newline="") as f:
        positions = {
            r["station"]: Position(float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)
        }
    return series, positions


def settings(
    radius_m: float, kinds: frozenset[AnomalyKind] = frozenset(AnomalyKind)
) -> DetectorSettings:
    return DetectorSettings(
        kinds=kinds,
        drift=DriftParams(utc_offset=BEIJING),
        neighbour=NeighbourParams(radius_m=radius_m, log_offset=10.0),
    )


def throughput(
    readings: list[Reading], config: DetectorSettings, positions: dict[str, Position]
) -> dict[str, float]:
    pipeline = AnomalyPipeline(config, positions)
    wall, cpu = time.perf_counter(), time.process_time()
    for reading in readings:
        pipeline.feed(reading)
    pipeline.flush()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "readings": len(readings),
        "readings_per_s": round(len(readings) / wall),
        "cpu_ms_per_1000": round(1000 * cpu / len(readings) * 1000, 2),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2015)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--radius-m", type=float, default=25_000.0)
    parser.add_argument("--stations", type=int, default=12, help="the first N (a short run)")
    parser.add_argument("--csv-dir", type=Path)
    parser.add_argument("--out", type=Path, default=RESULTS / "sensing_anomalies.json")
    args = parser.parse_args()

    series, positions = load(args.year, args.stations)
    config = settings(args.radius_m)
    positions = {d: p for d, p in positions.items() if any(d == k[0] for k in series)}
    around = NeighbourDetector(positions, config.neighbour).neighbours
    eligible = {d for d, n in around.items() if len(n) >= config.neighbour.min_neighbours}
    labelled = inject(series, args.seed, InjectionPlan(), eligible)
    if args.csv_dir:
        args.csv_dir.mkdir(parents=True, exist_ok=True)
        write_labelled_csv(args.csv_dir / f"beijing_{args.year}_labelled.csv", labelled)
        write_positions(args.csv_dir / "beijing_positions.csv", positions)

    started = time.perf_counter()
    result = evaluate(labelled, positions, config, tolerance=timedelta(hours=3))
    eval_s = time.perf_counter() - started
    clean = [r for rs in series.values() for r in rs]
    genuine = Counter(a.kind.value for a in detect(clean, config, positions))

    ordered = sorted((i.reading for i in labelled), key=lambda r: (r.ts, r.device_code, r.metric))
    speed = {"all": throughput(ordered, config, positions)}
    for kind in AnomalyKind:
        speed[kind.value] = throughput(
            ordered, settings(args.radius_m, frozenset({kind})), positions
        )

    per_kind: dict[str, Any] = {}
    for kind, s in result.scores.items():
        per_kind[kind.value] = {
            "true_events": s.true_events,
            "detected_events": s.detected_events,
            "hits": s.hits,
            "found": s.found,
            "false_positives": s.detected_events - s.hits,
            "false_positives_on_other_kind": s.on_other_kind,
            "detections_on_untouched_data": genuine.get(kind.value, 0),
            "precision": _round(s.precision),
            "recall": _round(s.recall),
            "f1": _round(s.f1),
        }
    truth = true_events(labelled)
    by_metric: dict[str, Any] = {}
    for metric in sorted(METRICS.values()):
        scores = score(
            [e for e in truth if e.metric == metric],
            [a for a in result.anomalies if a.metric == metric],
            timedelta(hours=3),
        )
        by_metric[metric] = {
            k.value: {
                "true_events": s.true_events,
                "detected_events": s.detected_events,
                "precision": _round(s.precision),
                "recall": _round(s.recall),
                "f1": _round(s.f1),
            }
            for k, s in scores.items()
        }
    out: dict[str, Any] = {
        "what": "sensing.anomaly detectors, Beijing PM2.5 and NO2 hourly, planted anomalies",
        "data": {
            "year": args.year,
            "stations": len({d for d, _ in series}),
            "series": len(series),
            "readings": result.readings,
            "seed": args.seed,
            "radius_m": args.radius_m,
            "neighbour_stations": sorted(eligible),
            "tolerance_h": 3,
        },
        "per_kind": per_kind,
        "per_metric": by_metric,
        "evaluate_s": round(eval_s, 2),
        "throughput": speed,
        "machine": machine(),
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({"per_kind": per_kind, "per_metric": by_metric, "throughput": speed}))


if __name__ == "__main__":
    main()
