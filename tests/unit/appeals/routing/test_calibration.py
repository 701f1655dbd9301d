"""Confidence that means what it says: the expected calibration error of the top probability and
the automatic-dispatch threshold chosen for precision on held-out predictions."""

from __future__ import annotations

import numpy as np
import pytest

from cityops.appeals.routing.evaluation import (
    at_threshold,
    calibration,
    choose_threshold,
    expected_calibration_error,
)
from cityops.appeals.routing.model import segment
from cityops.appeals.routing.stopwords import is_evidence_word


def test_a_calibrated_confidence_has_a_small_ece_an_overconfident_one_a_large() -> None:
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.3, 1.0, 20_000)
    right = rng.uniform(0, 1, conf.size) < conf  # right as often as it says
    assert expected_calibration_error(conf, right) < 0.02
    over = np.minimum(conf + 0.2, 1.0)
    assert expected_calibration_error(over, right) > 0.1


def test_the_threshold_is_the_lowest_with_the_precision_held_above_it() -> None:
    # 100 messages at 0.99 all right, 100 at 0.9 with 8 wrong, 100 at 0.6 with 40 wrong
    conf = [0.99] * 100 + [0.9] * 100 + [0.6] * 100
    right = [True] * 100 + [True] * 92 + [False] * 8 + [True] * 60 + [False] * 40
    threshold = choose_threshold(conf, right, target=0.95, min_support=30)
    assert threshold == 0.9  # 192/200 = 0.96 ≥ 0.95; with the 0.6 ones 252/300 = 0.84
    precision, coverage = at_threshold(conf, right, threshold)
    assert precision == pytest.approx(0.96)
    assert coverage == pytest.approx(200 / 300)
    assert choose_threshold(conf, right, target=0.97, min_support=30) == 0.99
    assert choose_threshold(conf, right, target=1.0, min_support=101) is None


def test_calibration_at_a_given_threshold_measures_it_there() -> None:
    conf = [0.95, 0.9, 0.8, 0.7]
    right = [True, False, True, True]
    found = calibration(conf, right, threshold=0.85)
    assert found.threshold == 0.85
    assert (found.precision, found.coverage) == (0.5, 0.5)
    assert found.n == 4


@pytest.mark.parametrize("word", ["请", "测试", "谢谢", "领导", "A市", "A3区", "2019", "一下"])
def test_stop_words_and_boilerplate_are_no_evidence(word: str) -> None:
    assert not is_evidence_word(word)
    assert not is_evidence_word(f"路灯 {word}")  # nor any n-gram holding one


def test_a_lone_character_is_no_evidence() -> None:
    assert not is_evidence_word("人")


@pytest.mark.parametrize("word", ["路灯", "公积金", "垃圾桶", "补课 收费"])
def test_words_that_name_the_matter_are(word: str) -> None:
    assert is_evidence_word(word)


def test_segmentation_keeps_what_the_model_needs() -> None:
    assert "路灯" in segment("请测试一下路灯").split()
