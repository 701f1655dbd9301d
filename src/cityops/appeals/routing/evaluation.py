"""How good the routing model is: accuracy, macro-F1, per-class precision/recall/F1, the confusion
matrix, and leak-free cross-validation (duplicates of a test message never sit in training)."""

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


@dataclass(frozen=True)
class CvResult:
    """Cross-validated scores: pooled over all test folds, plus each fold's macro-F1."""

    metrics: Metrics
    fold_macro_f1: tuple[float, ...]
    folds: int
    trained_on: tuple[int, ...]  # training-set size per fold

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
        fold_pred = model.predict([data.docs[i] for i in test])
        predicted[test] = fold_pred
        scores.append(evaluate(y[test].tolist(), fold_pred).macro_f1)
        sizes.append(len(train_set))
        if progress is not None:
            progress(k + 1)
    metrics = evaluate(list(data.labels), [str(p) for p in predicted])
    return CvResult(metrics, tuple(scores), folds, tuple(sizes))
