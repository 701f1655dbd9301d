"""What others may use of sensing.anomaly: the records, the detectors and the evaluation."""

from cityops.sensing.anomaly.detectors import DriftDetector, SpikeDetector, StuckDetector
from cityops.sensing.anomaly.evaluation import (
    Evaluation,
    Event,
    KindScore,
    LabelledReading,
    evaluate,
    read_labelled_csv,
    read_positions,
    score,
    true_events,
)
from cityops.sensing.anomaly.injection import (
    InjectionPlan,
    inject,
    write_labelled_csv,
    write_positions,
)
from cityops.sensing.anomaly.model import (
    Anomaly,
    AnomalyKind,
    DriftParams,
    NeighbourParams,
    Position,
    SpikeParams,
    StuckParams,
)
from cityops.sensing.anomaly.neighbours import NeighbourDetector, distance_m
from cityops.sensing.anomaly.pipeline import AnomalyPipeline, DetectorSettings, detect

__all__ = [
    "Anomaly",
    "AnomalyKind",
    "AnomalyPipeline",
    "DetectorSettings",
    "DriftDetector",
    "DriftParams",
    "Evaluation",
    "Event",
    "InjectionPlan",
    "KindScore",
    "LabelledReading",
    "NeighbourDetector",
    "NeighbourParams",
    "Position",
    "SpikeDetector",
    "SpikeParams",
    "StuckDetector",
    "StuckParams",
    "detect",
    "distance_m",
    "evaluate",
    "inject",
    "read_labelled_csv",
    "read_positions",
    "score",
    "true_events",
    "write_labelled_csv",
    "write_positions",
]
