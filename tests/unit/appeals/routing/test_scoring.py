"""The fast single-message path (`Scorer`) must equal the sklearn pipeline it mirrors."""

from __future__ import annotations

import numpy as np
import pytest

from cityops.appeals.routing.dataset import LabelledSet
from cityops.appeals.routing.model import ClassifierKind, RoutingConfig, RoutingModel, segment
from cityops.appeals.routing.scoring import WORD_CACHE_SIZE, Scorer, char_wb_ngrams, word_ngrams

TEXTS = [
    "学校老师乱收学费，学生家长很有意见",
    "公交司机不按线路行驶，站台也不停",
    "工厂夜间偷排污水，异味很重",
    "学校 从未 见过 的 词语",
    "完全 陌生",
    "A 学 公交 B2 站台 x",  # one-character words: shorter than a padded 4-gram
    "",
]


@pytest.mark.parametrize(
    "config",
    [
        RoutingConfig(),
        RoutingConfig(char_ngrams=(2, 3)),
        RoutingConfig(classifier=ClassifierKind.LOGREG, c=10.0),
        RoutingConfig(word_ngrams=(1, 3), char_ngrams=(4, 5)),  # short words counted whole
        RoutingConfig(word_ngrams=(2, 2), char_ngrams=None),
        RoutingConfig(char_analyzer="char", char_ngrams=(2, 4)),  # the vectorizer's own analyzer
    ],
)
def test_scorer_agrees_with_the_pipeline(corpus: LabelledSet, config: RoutingConfig) -> None:
    model = RoutingModel.train(corpus.docs, corpus.labels, config)
    scorer = model.scorer()
    assert scorer is not None
    docs = [segment(t) if " " not in t else t for t in TEXTS]
    expected = model.predict_proba(docs)
    rows = model.pipeline.named_steps["features"].transform(docs).tocsr()
    for i, doc in enumerate(docs):
        columns, values = scorer.features(doc)
        dense = np.zeros(scorer.n_features)
        dense[columns] = values
        assert dense == pytest.approx(rows[i].toarray().ravel(), abs=1e-6)
        assert scorer.proba(doc) == pytest.approx(expected[i], abs=1e-5)
        assert scorer.proba(doc) == pytest.approx(expected[i], abs=1e-5)  # from the word cache


@pytest.mark.parametrize(("low", "high"), [(1, 3), (2, 3), (2, 4), (4, 5), (1, 1)])
@pytest.mark.parametrize("word", ["学", "学校", "幼儿园", "A1区", "公交车站台"])
def test_char_wb_ngrams_are_sklearns(low: int, high: int, word: str) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(low, high), lowercase=False)
    analyzer = vec.build_analyzer()
    assert char_wb_ngrams(low, high)(word) == analyzer(word)


@pytest.mark.parametrize(("low", "high"), [(1, 1), (1, 2), (2, 3)])
def test_word_ngrams_are_sklearns(low: int, high: int) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    doc = "投诉 A1 区 物业 违规 收 停车费"
    vec = TfidfVectorizer(token_pattern=r"(?u)\S+", ngram_range=(low, high), lowercase=False)
    assert word_ngrams(low, high)(doc) == vec.build_analyzer()(doc)


def test_the_word_cache_is_bounded(corpus: LabelledSet, monkeypatch: pytest.MonkeyPatch) -> None:
    model = RoutingModel.train(corpus.docs, corpus.labels)
    scorer = Scorer(model.pipeline)
    monkeypatch.setattr("cityops.appeals.routing.scoring.WORD_CACHE_SIZE", 2)
    before = scorer.proba("学校 老师 学生 招生 学费")
    char_block = next(b for b in scorer.blocks if b.per_word)
    assert len(char_block.words) == 2
    assert scorer.proba("学校 老师 学生 招生 学费") == pytest.approx(before)
    assert WORD_CACHE_SIZE > 10_000


def _explained_by_pipeline(model: RoutingModel, doc: str, label: str) -> list[tuple[str, float]]:
    """The explanation computed from sklearn's own feature row (the reference)."""
    contributions = model._contributions(doc, model.labels.index(label))
    blocks = {b for b, _, _ in contributions}
    wanted = "word" if "word" in blocks or not blocks else "char"
    scored = [(t.strip(), w) for b, t, w in contributions if b == wanted and t.strip() and w > 0]
    scored.sort(key=lambda s: -s[1])
    return scored[:8]


@pytest.mark.parametrize(
    "config",
    [
        RoutingConfig(),
        RoutingConfig(word_ngrams=(2, 2), char_ngrams=None),
        RoutingConfig(char_analyzer="char", char_ngrams=(2, 4), word_ngrams=None),
    ],
)
def test_one_analysis_equals_suggest_and_explain(
    corpus: LabelledSet, config: RoutingConfig
) -> None:
    model = RoutingModel.train(corpus.docs, corpus.labels, config)
    for text in TEXTS:
        doc = segment(text) if " " not in text else text
        analysis = model.analyse(doc)
        expected = model.suggest(doc, k=len(model.labels))
        got = analysis.suggestions(len(model.labels))
        assert [s.label for s in got] == [s.label for s in expected]
        assert [s.probability for s in got] == pytest.approx([s.probability for s in expected])
        for label in model.labels:
            words = analysis.explain(label, 8)
            reference = _explained_by_pipeline(model, doc, label)
            assert [w for w, _ in words] == [w for w, _ in reference]
            assert [x for _, x in words] == pytest.approx([x for _, x in reference], abs=1e-6)
