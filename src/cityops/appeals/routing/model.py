"""The routing classifier, pure: text → tokens → TF-IDF features → calibrated linear model.

No files and no clock here: dataset.py reads the CSVs, store.py keeps model versions on disk.
A document is first segmented by jieba with stop words dropped (`segment`), giving the same
space-separated token string as the published segmented training set; the features are word
n-grams of that string joined with character n-grams, fed to a linear classifier whose scores
are calibrated into probabilities.

Segmentation runs on rjieba (jieba-rs, the same dictionary and HMM as Python jieba, about six
times faster). Where the two differ — runs of letters, digits and punctuation such as `3-4`,
`baidu.com`, `0731-0000-00000000`, which jieba splits with its HMM fallback pattern and jieba-rs
keeps whole — the token is split the way jieba splits it (`_JIEBA_SKIP`); a unit test checks the
result against Python jieba.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from cityops.appeals.routing.scoring import Scorer
from cityops.appeals.routing.stopwords import STOP_WORDS, is_evidence_word

# A token that is nothing but whitespace, punctuation or symbols carries no routing signal.
_NOISE = re.compile(r"^[\W_]+$")
# jieba's HMM fallback (jieba.finalseg.re_skip) splits non-Chinese runs on this pattern.
_JIEBA_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
_KEEP_WHOLE = re.compile(r"[a-zA-Z0-9]+|.*[\u4e00-\u9fd5].*", re.DOTALL)
# Whitespace and Chinese punctuation: never inside a run that jieba segments as one piece.
_BLOCK_END = re.compile(r"[\s，。！？；：、（）“”]")
_jieba_lock = threading.Lock()
_jieba: Any = None


def _segmenter() -> Any:
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import rjieba  # builds its dictionary on import (~0.1 s)

                _jieba = rjieba
    return _jieba


def preload_dictionary() -> None:
    """Load the segmentation dictionary now instead of on the first message."""
    _segmenter()


def segment(text: str, max_chars: int | None = None) -> str:
    """Raw Chinese text → space-separated jieba tokens without stop words (分词).

    With `max_chars`, the result is `head(segment(text), max_chars)`, but only as much of the text
    is segmented as that needs: jieba segments the runs between punctuation or whitespace each on
    its own, so the text is cut at such a character (`_BLOCK_END`) once the part before it holds
    enough tokens."""
    if max_chars is None:
        return _segment_all(text)
    reach = 2 * max_chars
    while reach < len(text):
        end = _BLOCK_END.search(text, reach)
        if end is None:
            break
        doc = _segment_all(text[: end.start()])
        if len(doc) - doc.count(" ") > max_chars:
            return head(doc, max_chars)
        reach *= 2
    return head(_segment_all(text), max_chars)


def _segment_all(text: str) -> str:
    """jieba's default-mode tokens (HMM on), as the published segmented set has them, without
    stop words, punctuation and symbols. jieba-rs keeps runs such as `3-4` or `baidu.com`
    whole where Python jieba splits them (its HMM fallback pattern): they are split the same
    way here."""
    kept: list[str] = []
    for token in _segmenter().cut(text, hmm=True):
        if not token:
            continue
        if "\u4e00" <= token[0] <= "\u9fd5":  # a Chinese word: kept whole, never noise
            if token not in STOP_WORDS:
                kept.append(token)
            continue
        parts = [token] if _KEEP_WHOLE.fullmatch(token) else _JIEBA_SKIP.split(token)
        kept.extend(
            t for t in parts if t and t.strip() and t not in STOP_WORDS and not _NOISE.match(t)
        )
    return " ".join(kept)


def head(doc: str, max_chars: int | None) -> str:
    """The leading tokens of a token string that hold at most `max_chars` characters (spaces
    not counted; None: all of it). A very long message is routed by its title and first
    paragraphs, which also bounds the time one message takes."""
    if max_chars is None or len(doc) - doc.count(" ") <= max_chars:
        return doc  # (a head already: the model heads what `segment` headed before)
    kept: list[str] = []
    total = 0
    for token in doc.split():
        total += len(token)
        if total > max_chars:
            break
        kept.append(token)
    return " ".join(kept)


class ClassifierKind(StrEnum):
    SVM = "svm"  # LinearSVC, sigmoid-calibrated
    LOGREG = "logreg"  # multinomial logistic regression
    SGD = "sgd"  # SGD with modified Huber loss, sigmoid-calibrated


@dataclass(frozen=True)
class RoutingConfig:
    """Everything that decides the model; stored next to it in the manifest."""

    word_ngrams: tuple[int, int] | None = (1, 2)
    char_ngrams: tuple[int, int] | None = (1, 3)
    char_analyzer: str = "char_wb"  # n-grams inside tokens; "char" also spans token boundaries
    min_df: int = 2
    max_df: float = 0.8
    sublinear_tf: bool = True
    max_features: int | None = 300_000
    classifier: ClassifierKind = ClassifierKind.SVM
    c: float = 0.5
    class_weight: str | None = "balanced"
    calibration_folds: int = 3
    seed: int = 0
    # The model reads a token string up to this many characters (`head`; None: all of it).
    max_chars: int | None = 700

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoutingConfig:
        """A config from a manifest; a field the manifest predates keeps its behaviour then."""
        values = {**_BEFORE_FIELD, **data}
        for key in ("word_ngrams", "char_ngrams"):
            if values.get(key) is not None:
                values[key] = tuple(values[key])
        if "classifier" in values:
            values["classifier"] = ClassifierKind(values["classifier"])
        return cls(**values)


# What a manifest written before a field existed meant by its absence.
_BEFORE_FIELD: dict[str, Any] = {"max_chars": None}


@dataclass(frozen=True)
class Suggestion:
    """One candidate label with its calibrated probability."""

    label: str
    probability: float


def build_pipeline(config: RoutingConfig) -> Pipeline:
    """An unfitted pipeline over token strings (the output of `segment`)."""
    parts: list[tuple[str, Any]] = []
    common: dict[str, Any] = {
        "min_df": config.min_df,
        "max_df": config.max_df,
        "sublinear_tf": config.sublinear_tf,
        "max_features": config.max_features,
        "lowercase": False,
        "dtype": np.float32,
    }
    if config.word_ngrams is not None:
        vec = TfidfVectorizer(token_pattern=r"(?u)\S+", ngram_range=config.word_ngrams, **common)
        parts.append(("word", vec))
    if config.char_ngrams is not None:
        vec = TfidfVectorizer(
            analyzer=config.char_analyzer, ngram_range=config.char_ngrams, **common
        )
        parts.append(("char", vec))
    if not parts:
        raise ValueError("the routing model needs word or character n-grams")
    return Pipeline([("features", FeatureUnion(parts)), ("clf", _classifier(config))])


def _classifier(config: RoutingConfig) -> Any:
    if config.classifier is ClassifierKind.LOGREG:
        return LogisticRegression(C=config.c, class_weight=config.class_weight, max_iter=3000)
    if config.classifier is ClassifierKind.SVM:
        base: Any = LinearSVC(C=config.c, class_weight=config.class_weight)
    else:
        base = SGDClassifier(
            loss="modified_huber",
            alpha=1e-4 / config.c,
            class_weight=config.class_weight,
            random_state=config.seed,
        )
    # One model fitted on all the data; the sigmoid calibrators come from cross-validation.
    return CalibratedClassifierCV(
        base, method="sigmoid", cv=config.calibration_folds, ensemble=False
    )


@dataclass
class RoutingModel:
    """A fitted pipeline plus what is needed to explain it."""

    config: RoutingConfig
    pipeline: Pipeline
    labels: tuple[str, ...] = field(default=())
    _scorer: Scorer | None = field(default=None, repr=False, compare=False)
    _scorer_ok: bool = field(default=True, repr=False, compare=False)

    @classmethod
    def train(
        cls, docs: Sequence[str], labels: Sequence[str], config: RoutingConfig | None = None
    ) -> RoutingModel:
        """Fit on token strings (already `segment`ed) and their labels."""
        config = config or RoutingConfig()
        if len(set(labels)) < 2:
            raise ValueError("training needs at least two labels")
        pipeline = build_pipeline(config)
        pipeline.fit([head(d, config.max_chars) for d in docs], list(labels))
        return cls(config, pipeline, tuple(str(c) for c in pipeline.classes_))

    def _heads(self, docs: Sequence[str]) -> list[str]:
        return [head(d, self.config.max_chars) for d in docs]

    def predict(self, docs: Sequence[str]) -> list[str]:
        return [str(p) for p in self.pipeline.predict(self._heads(docs))]

    def predict_proba(self, docs: Sequence[str]) -> NDArray[np.float64]:
        proba: NDArray[np.float64] = self.pipeline.predict_proba(self._heads(docs))
        return proba

    def scorer(self) -> Scorer | None:
        """The fast single-message path (None for models it cannot mirror, e.g. two labels)."""
        if self._scorer is None and self._scorer_ok:
            try:
                self._scorer = Scorer(self.pipeline)
            except ValueError:
                self._scorer_ok = False
        return self._scorer

    def suggest(self, doc: str, k: int = 3) -> list[Suggestion]:
        """The k most likely labels for one token string, most likely first."""
        scorer = self.scorer()
        doc = head(doc, self.config.max_chars)
        proba = scorer.proba(doc) if scorer is not None else self.predict_proba([doc])[0]
        order = np.argsort(-proba)[: max(1, k)]
        return [Suggestion(self.labels[i], float(proba[i])) for i in order]

    def analyse(self, doc: str) -> Analysis:
        """Suggestions and explanations for one token string from one pass over its features
        (`suggest` then `explain` for each label would compute them again for every call)."""
        return Analysis(self, head(doc, self.config.max_chars))

    def explain(self, doc: str, label: str, n: int = 8) -> list[tuple[str, float]]:
        """The n features of this document that push hardest towards `label`: tf-idf × weight.

        Word n-grams are preferred (they read as words); character n-grams are used only for a
        model without word features."""
        if label not in self.labels:
            raise ValueError(f"unknown label {label!r}")
        if self.scorer() is not None:
            return self.analyse(doc).explain(label, n)
        contributions = self._contributions(doc, self.labels.index(label))
        blocks = {b for b, _, _ in contributions}
        wanted = "word" if "word" in blocks or not blocks else "char"
        scored = [(term.strip(), w) for b, term, w in contributions if b == wanted and term.strip()]
        scored = [s for s in scored if s[1] > 0]
        scored.sort(key=lambda s: -s[1])
        return scored[:n]

    def _contributions(self, doc: str, label_index: int) -> list[tuple[str, str, float]]:
        doc = head(doc, self.config.max_chars)
        union: FeatureUnion = self.pipeline.named_steps["features"]
        row: Any = union.transform([doc]).tocsr()
        weights = self.coefficients()[label_index]
        names = [
            (name, str(f))
            for name, vec in union.transformer_list
            for f in vec.get_feature_names_out()
        ]
        return [
            (*names[j], float(v * weights[j])) for j, v in zip(row.indices, row.data, strict=True)
        ]

    def coefficients(self) -> NDArray[np.float64]:
        """The linear weights, one row per label (calibration keeps their order)."""
        clf = self.pipeline.named_steps["clf"]
        if isinstance(clf, CalibratedClassifierCV):
            clf = clf.calibrated_classifiers_[0].estimator
        coef = np.asarray(clf.coef_, dtype=np.float64)
        if coef.shape[0] == 1:  # two labels: one row scores the second label
            coef = np.vstack([-coef[0], coef[0]])
        return coef


class Analysis:
    """One message read once: its ranked labels and, on demand, the words behind each. Equal to
    `RoutingModel.suggest` and `explain` (unit-tested), at the cost of one of them."""

    def __init__(self, model: RoutingModel, doc: str) -> None:
        self._model = model
        self._doc = doc
        self._scorer = model.scorer()
        if self._scorer is not None:
            self._columns, self._values = self._scorer.features(doc)
            proba = self._scorer.calibrated(self._scorer.scores_of(self._columns, self._values))
            blocks = self._scorer.block_names(self._columns)
            self._block = "word" if "word" in blocks or not blocks else "char"
        else:
            proba = model.predict_proba([doc])[0]
        self.proba: NDArray[np.float64] = proba

    def suggestions(self, k: int = 3) -> list[Suggestion]:
        order = np.argsort(-self.proba)[: max(1, k)]
        return [Suggestion(self._model.labels[i], float(self.proba[i])) for i in order]

    def explain(self, label: str, n: int = 8) -> list[tuple[str, float]]:
        if self._scorer is None:
            return self._model.explain(self._doc, label, n)
        index = self._model.labels.index(label)
        return self._scorer.top_terms(self._columns, self._values, index, n, self._block)

    def evidence(self, label: str, n: int = 5) -> list[tuple[str, float]]:
        """The words to show a person for `label`: `explain` without stop words, politeness and
        boilerplate (stopwords.NOT_EVIDENCE), numbers and anonymised places, and without words
        that weigh no more for this label than for the others."""
        if self._scorer is None:
            return [
                t for t in self._model.explain(self._doc, label, 4 * n) if is_evidence_word(t[0])
            ][:n]
        index = self._model.labels.index(label)
        return self._scorer.evidence_terms(
            self._columns, self._values, index, n, self._block, is_evidence_word
        )
