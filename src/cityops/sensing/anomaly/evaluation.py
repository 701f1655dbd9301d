"""Scoring detectors against labelled series (`cityops sensing anomalies eval`, the benchmark).

Input: CSV rows `device, ts, metric, value, label` — label empty or `normal`, or an anomaly
kind (`spike`, `stuck`, `drift`, `neighbour`); positions: CSV rows `device, lon, lat`.

Matching is by event, with a tolerance window: consecutive readings of one series with the same
label make one true event; detections of one kind on one series less than `tolerance` apart
make one detected event. A detected event is a hit when some detection in it falls within
[start − tolerance, end + tolerance] of a true event of the same kind on the same series.
Precision = hit detected events / detected events; recall = true events with at least one hit /
true events. A detected event that misses its own kind but falls on a true event of another
kind is still a false positive; it is counted apart (`on_other_kind`) to show confusion."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cityops.sensing.anomaly.model import Anomaly, AnomalyKind, Position
from cityops.sensing.anomaly.pipeline import DetectorSettings, detect
from cityops.sensing.model import Reading

NORMAL_LABELS = {"", "normal"}


@dataclass(frozen=True, slots=True)
class LabelledReading:
    reading: Reading
    label: AnomalyKind | None


@dataclass(frozen=True, slots=True)
class Event:
    device_code: str
    metric: str
    kind: AnomalyKind
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class KindScore:
    kind: AnomalyKind
    true_events: int
    detected_events: int
    hits: int  # detected events matching a true event of this kind
    found: int  # true events with at least one hit
    on_other_kind: int

    @property
    def precision(self) -> float | None:
        return self.hits / self.detected_events if self.detected_events else None

    @property
    def recall(self) -> float | None:
        return self.found / self.true_events if self.true_events else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def parse_ts(text: str) -> datetime:
    ts = datetime.fromisoformat(text.strip())
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def parse_label(text: str) -> AnomalyKind | None:
    label = text.strip().lower()
    return None if label in NORMAL_LABELS else AnomalyKind(label)


def read_labelled_csv(path: Path) -> list[LabelledReading]:
    out: list[LabelledReading] = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            value = row["value"].strip()
            if not value or value.lower() in {"na", "nan"}:
                continue
            reading = Reading(row["device"], row["metric"], parse_ts(row["ts"]), float(value))
            out.append(LabelledReading(reading, parse_label(row.get("label") or "")))
    return out


def read_positions(path: Path) -> dict[str, Position]:
    with path.open(newline="", encoding="utf-8") as f:
        return {
            row["device"]: Position(float(row["lon"]), float(row["lat"]))
            for row in csv.DictReader(f)
        }


def true_events(labelled: Iterable[LabelledReading]) -> list[Event]:
    by_series: dict[tuple[str, str], list[LabelledReading]] = defaultdict(list)
    for item in labelled:
        by_series[(item.reading.device_code, item.reading.metric)].append(item)
    events: list[Event] = []
    for (device, metric), items in by_series.items():
        items.sort(key=lambda i: i.reading.ts)
        run: list[LabelledReading] = []
        following: list[LabelledReading | None] = [*items, None]
        for nxt in following:
            if run and (nxt is None or nxt.label != run[0].label):
                kind = run[0].label
                if kind is not None:
                    events.append(
                        Event(device, metric, kind, run[0].reading.ts, run[-1].reading.ts)
                    )
                run = []
            if nxt is not None:
                run.append(nxt)
    return events


def detected_events(anomalies: Iterable[Anomaly], tolerance: timedelta) -> list[list[Anomaly]]:
    by_series: dict[tuple[str, str, AnomalyKind], list[Anomaly]] = defaultdict(list)
    for a in anomalies:
        by_series[(a.device_code, a.metric, a.kind)].append(a)
    groups: list[list[Anomaly]] = []
    for found in by_series.values():
        found.sort(key=lambda a: a.ts)
        for a in found:
            if (
                groups
                and groups[-1][-1].kind == a.kind
                and _same_series(groups[-1][-1], a)
                and (a.ts - groups[-1][-1].ts <= tolerance)
            ):
                groups[-1].append(a)
            else:
                groups.append([a])
    return groups


def _same_series(a: Anomaly, b: Anomaly) -> bool:
    return (a.device_code, a.metric) == (b.device_code, b.metric)


def _hits(group: Sequence[Anomaly], event: Event, tolerance: timedelta) -> bool:
    return any(event.start - tolerance <= a.ts <= event.end + tolerance for a in group)


def score(
    truth: Sequence[Event], detections: Sequence[Anomaly], tolerance: timedelta
) -> dict[AnomalyKind, KindScore]:
    events_of: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for e in truth:
        events_of[(e.device_code, e.metric)].append(e)
    hits: dict[AnomalyKind, int] = defaultdict(int)
    other: dict[AnomalyKind, int] = defaultdict(int)
    detected: dict[AnomalyKind, int] = defaultdict(int)
    found: set[Event] = set()
    for group in detected_events(detections, tolerance):
        kind, series = group[0].kind, (group[0].device_code, group[0].metric)
        detected[kind] += 1
        same = [e for e in events_of[series] if e.kind == kind and _hits(group, e, tolerance)]
        if same:
            hits[kind] += 1
            found.update(same)
        elif any(_hits(group, e, tolerance) for e in events_of[series]):
            other[kind] += 1
    return {
        kind: KindScore(
            kind,
            true_events=sum(1 for e in truth if e.kind == kind),
            detected_events=detected[kind],
            hits=hits[kind],
            found=sum(1 for e in found if e.kind == kind),
            on_other_kind=other[kind],
        )
        for kind in AnomalyKind
    }


@dataclass(frozen=True, slots=True)
class Evaluation:
    scores: dict[AnomalyKind, KindScore]
    readings: int
    anomalies: list[Anomaly]


def evaluate(
    labelled: Sequence[LabelledReading],
    positions: Mapping[str, Position] | None = None,
    settings: DetectorSettings | None = None,
    tolerance: timedelta = timedelta(hours=3),
) -> Evaluation:
    """Run the detectors over the labelled readings (labels hidden from them) and score."""
    anomalies = detect((item.reading for item in labelled), settings, positions)
    return Evaluation(score(true_events(labelled), anomalies, tolerance), len(labelled), anomalies)
