"""All four detectors behind one door: feed readings one by one as they arrive (the live
pipeline), or a whole series at once (evaluation, backtests) — the same code either way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cityops.sensing.anomaly.detectors import DriftDetector, SpikeDetector, StuckDetector
from cityops.sensing.anomaly.model import (
    Anomaly,
    AnomalyKind,
    DriftParams,
    NeighbourParams,
    Position,
    SpikeParams,
    StuckParams,
)
from cityops.sensing.anomaly.neighbours import NeighbourDetector
from cityops.sensing.model import Reading


@dataclass(frozen=True, slots=True)
class DetectorSettings:
    """Which detectors run and with what parameters. Neighbour disagreement needs positions;
    without them it does not run."""

    kinds: frozenset[AnomalyKind] = frozenset(AnomalyKind)
    spike: SpikeParams = field(default_factory=SpikeParams)
    stuck: StuckParams = field(default_factory=StuckParams)
    drift: DriftParams = field(default_factory=DriftParams)
    neighbour: NeighbourParams = field(default_factory=NeighbourParams)


class _Series:
    __slots__ = ("detectors",)

    def __init__(self, device: str, metric: str, settings: DetectorSettings) -> None:
        self.detectors: list[SpikeDetector | StuckDetector | DriftDetector] = []
        if AnomalyKind.spike in settings.kinds:
            self.detectors.append(SpikeDetector(device, metric, settings.spike))
        if AnomalyKind.stuck in settings.kinds:
            self.detectors.append(StuckDetector(device, metric, settings.stuck))
        if AnomalyKind.drift in settings.kinds:
            self.detectors.append(DriftDetector(device, metric, settings.drift))


class AnomalyPipeline:
    """Per-(device, metric) detectors created on first sight; readings of one series must come
    in time order (an older reading than the last one seen for its series is skipped)."""

    def __init__(
        self,
        settings: DetectorSettings | None = None,
        positions: Mapping[str, Position] | None = None,
    ) -> None:
        self.settings = settings or DetectorSettings()
        self._series: dict[tuple[str, str], _Series] = {}
        self._last: dict[tuple[str, str], Reading] = {}
        self.neighbours: NeighbourDetector | None = None
        if positions and AnomalyKind.neighbour in self.settings.kinds:
            self.neighbours = NeighbourDetector(positions, self.settings.neighbour)
        self.skipped_out_of_order = 0

    def feed(self, reading: Reading) -> list[Anomaly]:
        key = (reading.device_code, reading.metric)
        last = self._last.get(key)
        if last is not None and reading.ts <= last.ts:
            self.skipped_out_of_order += 1
            return []
        self._last[key] = reading
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = _Series(*key, self.settings)
        found: list[Anomaly] = []
        for detector in series.detectors:
            found.extend(detector.feed(reading.ts, reading.value))
        if self.neighbours is not None:
            found.extend(self.neighbours.feed(reading))
        return found

    def flush(self) -> list[Anomaly]:
        return self.neighbours.flush() if self.neighbours is not None else []


def detect(
    readings: Iterable[Reading],
    settings: DetectorSettings | None = None,
    positions: Mapping[str, Position] | None = None,
) -> list[Anomaly]:
    """Run the detectors over a whole batch: readings are put in time order first."""
    pipeline = AnomalyPipeline(settings, positions)
    found: list[Anomaly] = []
    for reading in sorted(readings, key=lambda r: (r.ts, r.device_code, r.metric)):
        found.extend(pipeline.feed(reading))
    found.extend(pipeline.flush())
    return found
