"""Smart routing's second face, for the offline tools (the CLI's train, evaluate and
cross-validate, and the demo's model): labelled data, the model and its configuration, the
metrics and the model versions on disk. It loads scikit-learn, so the running platform uses
`public.py` instead, which does not."""

from __future__ import annotations

from cityops.appeals.routing.dataset import LabelledSet, read_labelled
from cityops.appeals.routing.evaluation import (
    TARGET_PRECISION,
    Calibration,
    CvResult,
    Metrics,
    calibration,
    cross_validate,
    evaluate,
    trained_on,
)
from cityops.appeals.routing.model import ClassifierKind, RoutingConfig, RoutingModel, segment
from cityops.appeals.routing.store import ModelStore, StoredModel, open_model

__all__ = [
    "TARGET_PRECISION",
    "Calibration",
    "ClassifierKind",
    "CvResult",
    "LabelledSet",
    "Metrics",
    "ModelStore",
    "RoutingConfig",
    "RoutingModel",
    "StoredModel",
    "calibration",
    "cross_validate",
    "evaluate",
    "open_model",
    "read_labelled",
    "segment",
    "trained_on",
]
