from __future__ import annotations

import pytest

from cityops.appeals.routing.dataset import LabelledSet, doc_hash
from cityops.appeals.routing.evaluation import Metrics, cross_validate, evaluate, trained_on
from cityops.appeals.routing.model import RoutingConfig


def test_evaluate_counts_what_it_should() -> None:
    m = evaluate(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert m.accuracy == pytest.approx(0.75)
    assert m.labels == ("a", "b")
    assert m.confusion == ((1, 1), (0, 2))
    a, b = m.per_class
    assert (a.precision, a.recall, a.support) == (1.0, 0.5, 2)
    assert b.precision == pytest.approx(2 / 3)
    assert m.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2)
    assert Metrics.from_dict(m.to_dict()) == m


def test_cross_validation_keeps_copies_in_one_fold(corpus: LabelledSet) -> None:
    doubled = LabelledSet(corpus.docs * 2, corpus.labels * 2)
    result = cross_validate(doubled, RoutingConfig(), folds=3)
    assert result.metrics.n == len(doubled)
    assert len(result.fold_macro_f1) == 3
    assert result.macro_f1_mean > 0.8
    # every message has a twin, and twins never straddle folds: each training set is 2/3 of it
    assert all(size == pytest.approx(len(doubled) * 2 / 3, abs=6) for size in result.trained_on)


def test_extra_training_rows_of_a_test_group_are_left_out(corpus: LabelledSet) -> None:
    extra = LabelledSet(corpus.docs[:9], corpus.labels[:9])
    result = cross_validate(
        corpus, RoutingConfig(), folds=3, extra=extra, extra_groups=list(range(9))
    )
    # each of the 9 copies is held out exactly once, so 2 × 9 extra rows are used in all
    assert sum(result.trained_on) == 2 * len(corpus) + 2 * 9


def test_trained_on_counts_the_evaluated_rows_the_model_saw() -> None:
    training = LabelledSet(("路灯 不亮", "井盖 松动"), ("a", "b"))
    scored = LabelledSet(("路灯 不亮", "噪音 扰民", "路灯 不亮"), ("a", "c", "a"))
    assert trained_on(scored.row_hashes(), frozenset(training.row_hashes())) == 2
    assert trained_on([], frozenset(training.row_hashes())) == 0
    assert doc_hash("路灯 不亮") == doc_hash("路灯 不亮") != doc_hash("路灯不亮")
    assert len(doc_hash("x")) == 16
