"""Single-message scoring without the sklearn call overhead (the ≤ 2 ms budget of intake).

`pipeline.predict_proba([doc])` spends most of its time validating inputs and building sparse
matrices for one row. `Scorer` reads the fitted vectorizers and the linear model once and then does
the same arithmetic in plain Python and numpy: n-grams → vocabulary columns → counts → sublinear
tf × idf → l2 norm per vectorizer → weights → calibrated probabilities. A unit test checks that it
agrees with the pipeline.

The two analyzers the routing model uses are mirrored directly: word n-grams come from one
`str.split`; `char_wb` n-grams (n-grams inside words, each word padded with one space) never cross
a word, so a document's `char_wb` columns are the concatenation of its words' columns, and those are
looked up once per distinct word and kept (`WORD_CACHE_SIZE` words per block) — one dictionary
lookup per word instead of one per character n-gram. Any other vectorizer setup uses the
vectorizer's own analyzer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

_WHITESPACE_TOKENS = r"(?u)\S+"
WORD_CACHE_SIZE = 200_000


def word_ngrams(low: int, high: int) -> Callable[[str], list[str]]:
    """Word n-grams of a space-separated token string, as TfidfVectorizer(token_pattern=\\S+)."""

    def grams(doc: str) -> list[str]:
        tokens = doc.split()
        out = list(tokens) if low == 1 else []
        for n in range(max(low, 2), high + 1):
            if n == 2:
                out.extend([f"{a} {b}" for a, b in pairwise(tokens)])
            else:
                out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return out

    return grams


def char_wb_ngrams(low: int, high: int) -> Callable[[str], list[str]]:
    """`char_wb` n-grams of one word (padded with a space each side), as sklearn makes them."""

    def grams(word: str) -> list[str]:
        padded = f" {word} "
        if len(padded) <= low:  # a short word counts once, whole
            return [padded]
        return [
            padded[i : i + n]
            for n in range(low, min(high, len(padded)) + 1)
            for i in range(len(padded) - n + 1)
        ]

    return grams


def _ngrams(vec: TfidfVectorizer) -> tuple[Callable[[str], list[str]], bool]:
    """The fast n-gram function equal to the vectorizer's analyzer (or that analyzer itself),
    and whether it applies word by word (`char_wb`) rather than to the whole document."""
    plain = (
        vec.lowercase is False
        and vec.strip_accents is None
        and vec.preprocessor is None
        and vec.tokenizer is None
        and vec.stop_words is None
    )
    low, high = vec.ngram_range
    if plain and vec.analyzer == "word" and vec.token_pattern == _WHITESPACE_TOKENS:
        return word_ngrams(low, high), False
    if plain and vec.analyzer == "char_wb":
        return char_wb_ngrams(low, high), True
    analyzer: Callable[[str], list[str]] = vec.build_analyzer()
    return analyzer, False


@dataclass(frozen=True)
class _Block:
    """One fitted TfidfVectorizer, flattened."""

    name: str
    ngrams: Callable[[str], list[str]]
    per_word: bool  # ngrams() takes one word; a document's n-grams are those of its words
    vocabulary: dict[str, int]
    idf: NDArray[np.float64]
    sublinear: bool
    offset: int  # where this block's columns start in the union
    words: dict[str, tuple[int, ...]] = field(default_factory=dict)  # per_word: word → columns

    def columns(self, doc: str) -> list[int]:
        """The vocabulary column of every n-gram of the document found in the vocabulary."""
        get = self.vocabulary.get
        if not self.per_word:
            return [j for j in map(get, self.ngrams(doc)) if j is not None]
        found: list[int] = []
        words = self.words
        for word in doc.split():
            ids = words.get(word)
            if ids is None:
                ids = tuple(j for j in map(get, self.ngrams(word)) if j is not None)
                if len(words) < WORD_CACHE_SIZE:
                    words[word] = ids
            found.extend(ids)
        return found


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
                    *_ngrams(vec),
                    dict(vec.vocabulary_),
                    np.asarray(vec.idf_, dtype=np.float64),
                    bool(vec.sublinear_tf),
                    offset,
                )
            )
            offset += len(vec.vocabulary_)
        self.calibrators: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None
        linear: Any = clf
        if isinstance(clf, CalibratedClassifierCV):
            calibrated = clf.calibrated_classifiers_[0]
            linear = calibrated.estimator
            if list(linear.classes_) != list(clf.classes_):
                raise ValueError("calibrated classes are out of order")
            self.calibrators = (
                np.array([float(c.a_) for c in calibrated.calibrators]),
                np.array([float(c.b_) for c in calibrated.calibrators]),
            )
        coef = np.asarray(linear.coef_, dtype=np.float64)
        if coef.shape[0] < 3:
            raise ValueError("Scorer needs three labels or more")
        self.weights: NDArray[np.float64] = np.ascontiguousarray(coef.T)
        self.intercept: NDArray[np.float64] = np.asarray(linear.intercept_, dtype=np.float64)
        self.n_features = offset
        self._names: list[tuple[str, str]] | None = None

    def _block_row(
        self, block: _Block, doc: str
    ) -> tuple[NDArray[np.intp], NDArray[np.float64]] | None:
        """The block's non-zero columns (union numbering) and l2-normalised tf-idf values."""
        found = block.columns(doc)
        if not found:
            return None
        columns, counts = np.unique(np.asarray(found, dtype=np.intp), return_counts=True)
        tf = np.log(counts) + 1.0 if block.sublinear else counts.astype(np.float64)
        row = tf * block.idf[columns]
        norm = math.sqrt(float(row @ row))
        if norm > 0:
            row /= norm
        return columns + block.offset, row

    def features(self, doc: str) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """The non-zero columns of the document's feature row and their values."""
        rows = [r for block in self.blocks if (r := self._block_row(block, doc)) is not None]
        if not rows:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float64)
        if len(rows) == 1:
            return rows[0]
        return np.concatenate([c for c, _ in rows]), np.concatenate([v for _, v in rows])

    def scores_of(
        self, columns: NDArray[np.intp], values: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """The decision scores of a feature row given as `features` returns it."""
        scores: NDArray[np.float64] = self.intercept + values @ self.weights[columns]
        return scores

    def calibrated(self, scores: NDArray[np.float64]) -> NDArray[np.float64]:
        """Probabilities from decision scores (the pipeline's calibration)."""
        if self.calibrators is None:  # multinomial logistic regression: softmax
            e = np.exp(scores - scores.max())
            out: NDArray[np.float64] = e / e.sum()
            return out
        a, b = self.calibrators
        p = 1.0 / (1.0 + np.exp(a * scores + b))
        total = p.sum()
        return p / total if total > 0 else np.full_like(p, 1.0 / len(p))

    def top_terms(
        self,
        columns: NDArray[np.intp],
        values: NDArray[np.float64],
        label_index: int,
        n: int,
        block: str,
    ) -> list[tuple[str, float]]:
        """The n features of `block` in the row that push hardest towards the label (tf-idf ×
        weight > 0), strongest first; ties in column order. Only those n are named."""
        chosen = next((b for b in self.blocks if b.name == block), None)
        if chosen is None:
            return []
        inside = (columns >= chosen.offset) & (columns < chosen.offset + len(chosen.vocabulary))
        cols = columns[inside]
        weights = self.weights[cols, label_index] * values[inside]
        names = self._feature_names()
        out: list[tuple[str, float]] = []
        for i in np.argsort(-weights, kind="stable").tolist():
            w = float(weights[i])
            if w <= 0 or len(out) >= n:
                break
            term = names[int(cols[i])][1].strip()
            if term:
                out.append((term, w))
        return out

    def evidence_terms(
        self,
        columns: NDArray[np.intp],
        values: NDArray[np.float64],
        label_index: int,
        n: int,
        block: str,
        keep: Callable[[str], bool],
    ) -> list[tuple[str, float]]:
        """`top_terms` for a person: only features `keep` accepts and whose weight for the label
        is above their mean weight for the other labels (a word every label uses as much does
        not say why this one), strongest contribution first."""
        chosen = next((b for b in self.blocks if b.name == block), None)
        if chosen is None:
            return []
        inside = (columns >= chosen.offset) & (columns < chosen.offset + len(chosen.vocabulary))
        cols = columns[inside]
        rows = self.weights[cols]
        own = rows[:, label_index]
        others = (rows.sum(axis=1) - own) / max(1, rows.shape[1] - 1)
        weights = own * values[inside]
        names = self._feature_names()
        out: list[tuple[str, float]] = []
        for i in np.argsort(-weights, kind="stable").tolist():
            w = float(weights[i])
            if w <= 0 or len(out) >= n:
                break
            term = names[int(cols[i])][1].strip()
            if term and own[i] > others[i] and keep(term):
                out.append((term, w))
        return out

    def block_names(self, columns: NDArray[np.intp]) -> set[str]:
        """Which blocks have a feature in the row."""
        return {
            b.name
            for b in self.blocks
            if bool(((columns >= b.offset) & (columns < b.offset + len(b.vocabulary))).any())
        }

    def decision(self, doc: str) -> NDArray[np.float64]:
        scores = self.intercept.copy()
        for block in self.blocks:
            row = self._block_row(block, doc)
            if row is not None:
                scores += row[1] @ self.weights[row[0]]
        return scores

    def proba(self, doc: str) -> NDArray[np.float64]:
        return self.calibrated(self.decision(doc))

    def _feature_names(self) -> list[tuple[str, str]]:
        if self._names is None:
            names: list[tuple[str, str]] = [("", "")] * self.n_features
            for block in self.blocks:
                for term, i in block.vocabulary.items():
                    names[block.offset + i] = (block.name, term)
            self._names = names
        return self._names
