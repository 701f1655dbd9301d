"""The worked examples of docs/insight/evaluation.md, computed by hand there and asserted here."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityops.insight.evaluation.config import EvaluationView, load_config, parse_config
from cityops.insight.evaluation.model import (
    Better,
    SubjectKind,
    composite,
    count_names,
    grade,
    normalise,
    rate,
)
from cityops.insight.evaluation.ranking import SubjectScore, rank, score_period, trend
from cityops.kernel.errors import ValidationFailed

CONFIG = load_config()

STREET = {  # example 1
    "reported": 40,
    "registered": 36,
    "due_to_handle": 30,
    "handled_on_time": 27,
    "due_to_close": 30,
    "closed": 28,
    "reworked": 3,
    "evaluated": 20,
    "satisfied": 18,
}
DEPARTMENT = {  # example 2: nobody evaluated yet
    "dispatched": 20,
    "due_to_handle": 20,
    "handled_on_time": 18,
    "due_to_close": 20,
    "reworked": 1,
    "extended": 2,
    "returned": 0,
    "evaluated": 0,
    "satisfied": 0,
}
OPERATORS = {  # example 3
    "1": ("王受理", {"accepted": 50, "accepted_on_time": 45, "visit_due": 20, "visited": 18}),
    "2": ("李受理", {"accepted": 20, "accepted_on_time": 20, "visit_due": 10, "visited": 5}),
    "3": ("张受理", {"accepted": 4, "accepted_on_time": 4, "visit_due": 0, "visited": 0}),
}


def test_example_1_street() -> None:
    scored = score_period(SubjectKind.street, {"S1": ("东华门街道", STREET)}, CONFIG)["S1"]
    parts = {p.key: p for p in scored.components}
    assert parts["registration_rate"].score == pytest.approx(90.0)
    assert parts["closure_rate"].value == pytest.approx(28 / 30)
    assert parts["closure_rate"].score == pytest.approx(93.3333, abs=1e-4)
    assert parts["rework_rate"].score == pytest.approx(50.0)  # 100·(1 − 0.1/0.2)
    assert scored.score == 84.83  # 8483.33/100
    assert scored.grade == "B"
    assert scored.rated
    assert scored.volume == 40


def test_example_2_missing_component_shares_its_weight() -> None:
    scored = score_period(SubjectKind.department, {"CGJ": ("城管局", DEPARTMENT)}, CONFIG)["CGJ"]
    parts = {p.key: p for p in scored.components}
    assert parts["satisfaction_rate"].value is None
    assert parts["satisfaction_rate"].score is None
    assert parts["rework_rate"].score == pytest.approx(75.0)
    assert parts["extension_rate"].score == pytest.approx(50.0)
    assert parts["return_rate"].score == pytest.approx(100.0)
    assert scored.score == 82.67  # 6200/75
    assert scored.grade == "B"


def test_example_3_operators_volume_and_minimum() -> None:
    scored = score_period(SubjectKind.operator, OPERATORS, CONFIG)
    assert scored["1"].score == 93.0
    assert scored["1"].grade == "A"
    assert scored["2"].score == 67.0
    assert scored["2"].grade == "D"
    assert not scored["3"].rated
    assert scored["3"].score is None
    assert scored["3"].grade is None
    rows = [
        SubjectScore(code, OPERATORS[code][0], OPERATORS[code][1], s) for code, s in scored.items()
    ]
    ranking = rank(rows, 1)
    assert [(r.code, r.rank) for r in ranking.rows] == [("1", 1), ("2", 2), ("3", None)]
    assert [r.code for r in ranking.head] == ["1"]
    assert [r.code for r in ranking.tail] == ["2"]


def test_normalise_and_composite() -> None:
    assert normalise(Better.more, 0.95) == pytest.approx(95.0)
    assert normalise(Better.less, 0.3, limit=0.2) == 0.0  # past the limit: 0, never negative
    assert normalise(Better.volume, 5.0, best=0.0) is None
    assert normalise(Better.volume, 30.0, best=60.0) == pytest.approx(50.0)
    assert composite([(None, 10.0), (80.0, 30.0), (60.0, 10.0)]) == pytest.approx(75.0)
    assert composite([(None, 10.0)]) is None
    assert rate(3, 0) is None
    with pytest.raises(ValueError, match="negative"):
        rate(-1, 3)


@pytest.mark.parametrize(
    ("score", "expected"),
    [(90.0, "A"), (89.99, "B"), (80.0, "B"), (70.0, "C"), (60.0, "D"), (59.99, "E"), (0.0, "E")],
)
def test_grade_bands(score: float, expected: str) -> None:
    assert grade(score, CONFIG.grades, CONFIG.lowest_grade) == expected


def test_ties_share_a_rank_and_tail_never_repeats_head() -> None:
    base = score_period(
        SubjectKind.shift_leader, {"x": ("x", {"decided": 10, "decided_in_time": 9})}, CONFIG
    )["x"]
    rows = [
        SubjectScore("a", "a", {}, base),
        SubjectScore("b", "b", {}, base),
        SubjectScore(
            "c",
            "c",
            {},
            score_period(
                SubjectKind.shift_leader,
                {"c": ("c", {"decided": 10, "decided_in_time": 5})},
                CONFIG,
            )["c"],
        ),
    ]
    ranking = rank(rows, 2)
    assert [(r.code, r.rank) for r in ranking.rows] == [("a", 1), ("b", 1), ("c", 3)]
    assert [r.code for r in ranking.head] == ["a", "b"]
    assert [r.code for r in ranking.tail] == ["c"]


def test_trend_lines_hold_none_where_not_rated() -> None:
    one = score_period(
        SubjectKind.shift_leader, {"a": ("甲", {"decided": 10, "decided_in_time": 8})}, CONFIG
    )
    lines = trend([{}, {"a": SubjectScore("a", "甲", {}, one["a"])}])
    assert len(lines) == 1
    assert lines[0].scores == (None, 80.0)
    assert lines[0].grades == (None, "B")


def test_every_kind_has_weights_and_counts() -> None:
    for kind in SubjectKind:
        assert count_names(kind)
        assert sum(CONFIG.weights[kind][k].weight for k in CONFIG.weights[kind]) > 0
    assert CONFIG.view is EvaluationView.trend


@pytest.mark.parametrize(
    "doc",
    [
        {"kinds": {"street": {"nope": {"weight": 1}}}},
        {"kinds": {"planet": {}}},
        {"kinds": {"street": {"registration_rate": {"weight": -1}}}},
        {"kinds": {"street": {"registration_rate": {"limit": 0.5}}}},  # limit on a higher-better
        {"kinds": {"shift_leader": {"timely_decision_rate": {"weight": 0}}}},  # adds up to 0
        {"grades": {"A": 80, "B": 90}},
        {"view": "table"},
        {"trend_periods": 0},
        {"colour": "red"},
    ],
)
def test_bad_configs_are_refused(doc: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_config(doc, CONFIG)
    assert err.value.code == "invalid_evaluation_config"


def test_a_city_file_overrides_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "evaluation.yaml"
    path.write_text(
        "view: ranking\nkinds:\n  street:\n    rework_rate: {weight: 30, limit: 0.1}\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.view is EvaluationView.ranking
    assert config.weighting(SubjectKind.street, "rework_rate").weight == 30
    assert config.weighting(SubjectKind.street, "rework_rate").limit == 0.1
    assert config.weighting(SubjectKind.street, "closure_rate").weight == 25  # kept
