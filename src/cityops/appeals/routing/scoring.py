"""Single-message scoring without the sklearn call overhead (the ≤ 2 ms budget of intake).

`pipeline.predict_proba([doc])` spends most of its time validating inputs and building sparse
matrices for one row. `Scorer` reads the fitted vectorizers and the linear model once and then does
the same arithmetic in plain Python and numpy: n-grams (the vectorizers' own analyzers) → counts
→ sublinear tf × idf → l2 norm per vectorizer → weights → calibrated probabilities. A unit test
checks that it agrees with the pipeline.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.calibration import CalibratedClassifierCV
from sklearn.pipeline import FeatureUnion, Pipeline


@dataclass(frozen=True)
class _Block:
    """One fitted TfidfVectorizer, flattened."""

    name: str
    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: NDArray[np.float64]
    sublinear: bool
    offset: int  # where this block's columns start in the union


class Scorer:
    """Features and probabilities for one document at a time, equal to the pipeline's."""

    def __init__(self, pipeline: Pipeline) -> None:
        union: FeatureUnion = pipeline.named_steps["features"]
        clf = pipeline.named_steps["clf"]
        self.blocks: list[_Block] = []
        offset = 0
        for name, vec in union.transformer_list:
            if vec.norm != "l2" or not vec.use_idf:
                raise ValueError("Scorer supports l2-normalised tf-idf blocks only")
            self.blocks.append(
                _Block(
                    name,
                    vec.build_analyzer(),
                    dict(vec.vocabulary_),
                    np.asarray(vec.idf_, dtype=np.float64),
                    bool(vec.sublinear_tf),
                    offset,
                )
            )
            offset += len(vec.vocabulary_)
        self.calibrators: list[tuple[float, float]] | None = None
        linear: Any = clf
        if isinstance(clf, CalibratedClassifierCV):
            calibrated = clf.calibrated_classifiers_[0]
            linear = calibrated.estimator
            if list(linear.classes_) != list(clf.classes_):
                raise ValueError("calibrated classes are out of order")
            self.calibrators = [(float(c.a_), float(c.b_)) for c in calibrated.calibrators]
        coef = np.asarray(linear.coef_, dtype=np.float64)
        if coef.shape[0] < 3:
            raise ValueError("Scorer needs three labels or more")
        self.weights: NDArray[np.float64] = np.ascontiguousarray(coef.T)
        self.intercept: NDArray[np.float64] = np.asarray(linear.intercept_, dtype=np.float64)
        self.n_features = offset
        self._names: list[tuple[str, str]] | None = None

    def features(self, doc: str) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """The non-zero columns of the document's feature row and their values."""
        columns: list[int] = []
        values: list[float] = []
        for block in self.blocks:
            counts = Counter(block.analyzer(doc))
            found = [(block.vocabulary[g], n) for g, n in counts.items() if g in block.vocabulary]
            if not found:
                continue
            idx = np.fromiter((i for i, _ in found), dtype=np.intp, count=len(found))
            tf = np.fromiter(
                ((1.0 + math.log(n)) if block.sublinear else float(n) for _, n in found),
                dtype=np.float64,
                count=len(found),
            )
            row = tf * block.idf[idx]
            norm = float(np.sqrt(row @ row))
            if norm > 0:
                row /= norm
            columns.extend((idx + block.offset).tolist())
            values.extend(row.tolist())
        return np.asarray(columns, dtype=np.intp), np.asarray(values, dtype=np.float64)

    def decision(self, doc: str) -> NDArray[np.float64]:
        columns, values = self.features(doc)
        scores: NDArray[np.float64] = values @ self.weights[columns] + self.intercept
        return scores

    def proba(self, doc: str) -> NDArray[np.float64]:
        scores = self.decision(doc)
        if self.calibrators is None:  # multinomial logistic regression: softmax
            e = np.exp(scores - scores.max())
            out: NDArray[np.float64] = e / e.sum()
            return out
        a = np.array([c[0] for c in self.calibrators])
        b = np.array([c[1] for c in self.calibrators])
        p = 1.0 / (1.0 + np.exp(a * scores + b))
        total = p.sum()
        return p / total if total > 0 else np.full_like(p, 1.0 / len(p))

    def contributions(self, doc: str, label_index: int) -> list[tuple[str, str, float]]:
        """(block, feature, tf-idf × weight) for every feature of the document."""
        columns, values = self.features(doc)
        names = self._feature_names()
        weights = self.weights[columns, label_index] * values
        return [
            (names[c][0], names[c][1], float(w))
            for c, w in zip(columns.tolist(), weights.tolist(), strict=True)
        ]

    def _feature_names(self) -> list[tuple[str, str]]:
        if self._names is None:
            names: list[tuple[str, str]] = [("", "")] * self.n_features
            for block in self.blocks:
                for term, i in block.vocabulary.items():
                    names[block.offset + i] = (block.name, term)
            self._names = names
        return self._names
