"""How good the routing model is: accuracy, macro-F1, per-class precision/recall/F1, the confusion
matrix, leak-free cross-validation (duplicates of a test message never sit in training), and
whether its confidence means what it says: the expected calibration error (ECE) of the top
probability and the lowest confidence at which automatic dispatch is right often enough
(precision ≥ 97 % on held-out messages), with the share of messages it then covers."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from sklearn.model_selection import StratifiedGroupKFold

from cityops.appeals.routing.dataset import LabelledSet, duplicate_groups
from cityops.appeals.routing.model import RoutingConfig, RoutingModel


def trained_on(rows: Sequence[str], training: frozenset[str]) -> int:
    """How many of the evaluated rows (their doc_hash) the model was trained on: scores on
    those say how well it remembers, not how it does on new messages."""
    return sum(1 for r in rows if r in training)


@dataclass(frozen=True)
class ClassScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Metrics:
    accuracy: float
    macro_f1: float
    per_class: tuple[ClassScore, ...]
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]  # rows: true label, columns: predicted label
    n: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Metrics:
        return cls(
            accuracy=float(data["accuracy"]),
            macro_f1=float(data["macro_f1"]),
            per_class=tuple(ClassScore(**c) for c in data["per_class"]),
            labels=tuple(data["labels"]),
            confusion=tuple(tuple(int(v) for v in row) for row in data["confusion"]),
            n=int(data["n"]),
        )


def evaluate(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None
) -> Metrics:
    """Scores of predictions against the truth; `labels` fixes the order (default: sorted)."""
    order = list(labels) if labels is not None else sorted(set(y_true) | set(y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=order, zero_division=0.0)
    matrix = confusion_matrix(y_true, y_pred, labels=order)
    return Metrics(
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_f1=float(f1_score(y_true, y_pred, labels=order, average="macro", zero_division=0.0)),
        per_class=tuple(
            ClassScore(lab, float(p[i]), float(r[i]), float(f[i]), int(s[i]))
            for i, lab in enumerate(order)
        ),
        labels=tuple(order),
        confusion=tuple(tuple(int(v) for v in row) for row in matrix),
        n=len(y_true),
    )


TARGET_PRECISION = 0.97  # automatic dispatch: at least this share right on held-out messages
MIN_AUTO_SUPPORT = 30  # a threshold is chosen only over at least this many held-out messages
ECE_BINS = 15


@dataclass(frozen=True)
class Calibration:
    """The top probability against what happened on held-out messages (校准).

    `ece`: the expected calibration error over `bins` equal-width bins of the top probability
    (Σ share of the bin × |accuracy in it − mean probability in it|). `threshold`: the lowest
    top probability such that the messages at or above it are right at least `target` of the
    time (None: no such threshold over at least MIN_AUTO_SUPPORT messages); `precision` and
    `coverage` are measured at `threshold` (coverage: the share of messages at or above it)."""

    ece: float
    threshold: float | None
    precision: float
    coverage: float
    target: float
    n: int
    bins: int = ECE_BINS

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def expected_calibration_error(
    confidence: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS
) -> float:
    """ECE of a top probability: equal-width bins, weighted by how many messages fall in each."""
    conf = np.asarray(confidence, dtype=np.float64)
    right = np.asarray(correct, dtype=np.float64)
    if len(conf) == 0:
        return 0.0
    which = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += float(inside.mean()) * abs(float(right[inside].mean() - conf[inside].mean()))
    return total


def at_threshold(
    confidence: Sequence[float], correct: Sequence[bool], threshold: float | None
) -> tuple[float, float]:
    """(precision, coverage) of the messages whose top probability is at least `threshold`
    (None: no automatic dispatch, (1.0, 0.0))."""
    conf = np.asarray(confidence, dtype=np.float64)
    if threshold is None or len(conf) == 0:
        return 1.0, 0.0
    above = conf >= threshold
    if not above.any():
        return 1.0, 0.0
    return float(np.asarray(correct, dtype=np.float64)[above].mean()), float(above.mean())


def choose_threshold(
    confidence: Sequence[float],
    correct: Sequence[bool],
    target: float = TARGET_PRECISION,
    min_support: int = MIN_AUTO_SUPPORT,
) -> float | None:
    """The lowest top probability at which every stricter threshold keeps the precision at or
    above `target` (so the choice does not rest on a lucky dip), over at least `min_support`
    messages; None when there is none."""
    conf = np.asarray(confidence, dtype=np.float64)
    right = np.asarray(correct, dtype=np.float64)
    order = np.argsort(-conf, kind="stable")
    conf, right = conf[order], right[order]
    precision = np.cumsum(right) / np.arange(1, len(conf) + 1)
    chosen: float | None = None
    for i in range(len(conf)):
        if i + 1 < len(conf) and conf[i + 1] == conf[i]:
            continue  # a threshold takes every message of equal probability
        if precision[i] < target:
            if i + 1 >= min_support:
                break
            continue
        if i + 1 >= min_support:
            chosen = float(conf[i])
    return chosen


def calibration(
    confidence: Sequence[float],
    correct: Sequence[bool],
    *,
    threshold: float | None = None,
    target: float = TARGET_PRECISION,
) -> Calibration:
    """ECE and the automatic-dispatch threshold of held-out predictions: `threshold` given
    (one chosen elsewhere, e.g. stored with the model) is measured here; otherwise it is chosen
    on these predictions (`choose_threshold`)."""
    if threshold is None:
        threshold = choose_threshold(confidence, correct, target)
    precision, coverage = at_threshold(confidence, correct, threshold)
    return Calibration(
        ece=expected_calibration_error(confidence, correct),
        threshold=threshold,
        precision=precision,
        coverage=coverage,
        target=target,
        n=len(confidence),
    )


@dataclass(frozen=True)
class CvResult:
    """Cross-validated scores: pooled over all test folds, plus each fold's macro-F1."""

    metrics: Metrics
    fold_macro_f1: tuple[float, ...]
    folds: int
    trained_on: tuple[int, ...]  # training-set size per fold
    # per evaluated row: the top probability and whether the top label was right (held out)
    confidence: tuple[float, ...] = ()
    correct: tuple[bool, ...] = ()

    @property
    def calibration(self) -> Calibration:
        """ECE and the automatic-dispatch threshold chosen on the held-out folds."""
        return calibration(self.confidence, self.correct)

    @property
    def macro_f1_mean(self) -> float:
        return statistics.fmean(self.fold_macro_f1)

    @property
    def macro_f1_std(self) -> float:
        return statistics.pstdev(self.fold_macro_f1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "folds": self.folds,
            "macro_f1_mean": self.macro_f1_mean,
            "macro_f1_std": self.macro_f1_std,
            "fold_macro_f1": list(self.fold_macro_f1),
            "trained_on": list(self.trained_on),
            "pooled": self.metrics.to_dict(),
            "calibration": self.calibration.to_dict(),
        }


def cross_validate(
    data: LabelledSet,
    config: RoutingConfig,
    folds: int = 5,
    *,
    groups: Sequence[int] | None = None,
    extra: LabelledSet | None = None,
    extra_groups: Sequence[int | None] | None = None,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> CvResult:
    """Stratified k-fold over `data`, folds cut along `groups` (default: exact duplicates).

    `extra` rows are added to every fold's training set, except those whose group (in the same id
    space as `groups`; None = no copy of any `data` row) belongs to that fold's test rows."""
    groups = list(groups) if groups is not None else duplicate_groups(data.docs)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    y = np.array(data.labels)
    predicted = np.empty(len(data), dtype=object)
    confidence = np.zeros(len(data), dtype=np.float64)
    scores: list[float] = []
    sizes: list[int] = []
    for k, (train, test) in enumerate(splitter.split(np.zeros(len(y)), y, groups)):
        train_set = data.subset(train.tolist())
        if extra is not None:
            held_out = {groups[i] for i in test}
            eg = extra_groups if extra_groups is not None else [None] * len(extra)
            keep = [i for i, g in enumerate(eg) if g is None or g not in held_out]
            more = extra.subset(keep)
            train_set = LabelledSet(train_set.docs + more.docs, train_set.labels + more.labels)
        model = RoutingModel.train(train_set.docs, train_set.labels, config)
        proba = model.predict_proba([data.docs[i] for i in test])
        fold_pred = [model.labels[j] for j in proba.argmax(axis=1)]
        predicted[test] = fold_pred
        confidence[test] = proba.max(axis=1)
        scores.append(evaluate(y[test].tolist(), fold_pred).macro_f1)
        sizes.append(len(train_set))
        if progress is not None:
            progress(k + 1)
    metrics = evaluate(list(data.labels), [str(p) for p in predicted])
    correct = tuple(bool(p == t) for p, t in zip(predicted, data.labels, strict=True))
    return CvResult(
        metrics,
        tuple(scores),
        folds,
        tuple(sizes),
        tuple(float(c) for c in confidence),
        correct,
    )
