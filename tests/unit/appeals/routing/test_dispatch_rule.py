"""The routing-at-intake rule as plain functions: which cases are decided, the confidence
threshold, where an automatic dispatch goes, the history notes, and what a correction teaches."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import ValidationError

from cityops.appeals.routing.dispatch_rule import (
    CITIZEN_SOURCES,
    IntakeFacts,
    RouteSuggestion,
    RoutingOutcome,
    RoutingReason,
    corrected_label,
    decide,
    dispatch_note,
    in_group,
    needs_correction,
    register_note,
)
from cityops.infra.settings import Settings


def _s(label: str, p: float, code: str, dept: str | None) -> RouteSuggestion:
    return RouteSuggestion(
        label=label,
        probability=p,
        category_code=code,
        category_name=label,
        department_code=dept,
        department_name=None if dept is None else f"{dept}单位",
        top_words=(("学校", 0.31), ("补课", 0.12)),
    )


SCHOOL = [_s("教育文体", 0.9, "A03", "JYJ"), _s("商贸旅游", 0.06, "A04", "SJJ")]
FACTS = IntakeFacts(
    source="web",
    status="reported",
    category_code="A03",
    category_by_system=True,
    department_code="JYJ",
    department_name="教育局",
)
GROUPS = {"城乡建设": "A01", "教育文体": "A03", "商贸旅游": "A04", "交通运输": "A07"}


@pytest.mark.parametrize(
    ("probability", "threshold", "outcome"),
    [
        (0.9, 0.85, RoutingOutcome.auto_dispatched),
        (0.85, 0.85, RoutingOutcome.auto_dispatched),  # at the threshold counts
        (0.8499, 0.85, RoutingOutcome.queued),
        (0.99, 1.0, RoutingOutcome.queued),  # 1.0: never by itself
        (0.01, 0.0, RoutingOutcome.auto_dispatched),  # 0.0: always when eligible
    ],
)
def test_threshold(probability: float, threshold: float, outcome: RoutingOutcome) -> None:
    suggestions = [replace(SCHOOL[0], probability=probability)]
    verdict = decide(FACTS, suggestions, threshold)
    assert verdict is not None
    assert verdict.outcome is outcome
    expected = (
        RoutingReason.confident
        if outcome is RoutingOutcome.auto_dispatched
        else RoutingReason.low_confidence
    )
    assert verdict.reason is expected


@pytest.mark.parametrize("source", ["web", "hotline", "open311"])
def test_citizen_channels_are_decided(source: str) -> None:
    verdict = decide(replace(FACTS, source=source), SCHOOL, 0.85)
    assert verdict is not None
    assert verdict.outcome is RoutingOutcome.auto_dispatched


@pytest.mark.parametrize("source", ["inspector", "sensor", "transfer"])
def test_other_channels_are_not(source: str) -> None:
    assert source not in CITIZEN_SOURCES
    assert decide(replace(FACTS, source=source), SCHOOL, 0.0) is None


def test_a_case_is_decided_once() -> None:
    assert decide(replace(FACTS, already_decided=True), SCHOOL, 0.0) is None


def test_no_model_no_decision() -> None:
    assert decide(FACTS, [], 0.0) is None


def test_a_case_already_taken_up_is_skipped() -> None:
    verdict = decide(replace(FACTS, status="registered"), SCHOOL, 0.85)
    assert verdict is not None
    assert (verdict.outcome, verdict.reason) == (
        RoutingOutcome.skipped,
        RoutingReason.case_taken_up,
    )


def test_a_persons_category_whose_preset_unit_differs_is_queued_not_overruled() -> None:
    facts = replace(FACTS, category_code="A0701", category_by_system=False, department_code="JTJ")
    verdict = decide(facts, SCHOOL, 0.85)
    assert verdict is not None
    assert verdict.outcome is RoutingOutcome.queued
    assert verdict.reason is RoutingReason.contradicts_preset
    assert verdict.department_code == "JYJ"  # what the dispatcher is offered, next to the preset


def test_a_persons_category_inside_the_predicted_group_with_another_unit_is_queued() -> None:
    # 文化市场 lies in 教育文体's group but the list names another unit for it (the issue's
    # 住建局 vs 供水集团): the router never dispatches against the preset
    facts = replace(
        FACTS,
        category_code="A0305",
        category_by_system=False,
        department_code="WLJ",
        department_name="文化广电旅游体育局",
    )
    verdict = decide(facts, SCHOOL, 0.85)
    assert verdict is not None
    assert (verdict.outcome, verdict.reason) == (
        RoutingOutcome.queued,
        RoutingReason.contradicts_preset,
    )


def test_a_persons_category_whose_preset_agrees_is_dispatched() -> None:
    facts = replace(FACTS, category_code="A0302", category_by_system=False, department_code="JYJ")
    verdict = decide(facts, SCHOOL, 0.85)
    assert verdict is not None
    assert verdict.outcome is RoutingOutcome.auto_dispatched
    assert verdict.department_code == "JYJ"


def test_a_group_without_a_named_leaf_is_queued_however_confident() -> None:
    suggestions = [replace(SCHOOL[0], probability=0.99, leaf=False)]
    verdict = decide(FACTS, suggestions, 0.85)
    assert verdict is not None
    assert (verdict.outcome, verdict.reason) == (
        RoutingOutcome.queued,
        RoutingReason.leaf_uncertain,
    )


@pytest.mark.parametrize(
    ("leaf_p", "label_p", "outcome"),
    [
        (0.95, 0.95, RoutingOutcome.auto_dispatched),
        (0.95, 0.80, RoutingOutcome.queued),  # the words name the leaf, the label is unsure
        (0.80, 0.95, RoutingOutcome.queued),  # the label is sure, the leaf is not
    ],
)
def test_both_the_leaf_and_its_label_must_reach_the_threshold(
    leaf_p: float, label_p: float, outcome: RoutingOutcome
) -> None:
    suggestions = [replace(SCHOOL[0], probability=leaf_p, label_probability=label_p)]
    verdict = decide(FACTS, suggestions, 0.85)
    assert verdict is not None
    assert verdict.outcome is outcome


def test_a_category_left_to_the_system_follows_the_prediction() -> None:
    facts = replace(FACTS, category_code="A13", department_code="CGJ")  # the portal's fallback
    verdict = decide(facts, SCHOOL, 0.85)
    assert verdict is not None
    assert verdict.outcome is RoutingOutcome.auto_dispatched
    assert verdict.department_code == "JYJ"


def test_no_unit_on_the_list_is_queued() -> None:
    facts = replace(FACTS, category_code="A13", department_code=None)
    suggestions = [replace(SCHOOL[0], department_code=None, department_name=None)]
    verdict = decide(facts, suggestions, 0.5)
    assert verdict is not None
    assert (verdict.outcome, verdict.reason) == (RoutingOutcome.queued, RoutingReason.no_department)


def test_groups_nest_by_prefix() -> None:
    assert in_group("A03", "A03")
    assert in_group("A030501", "A03")
    assert not in_group("A0403", "A03")
    assert not in_group("A03", "")


def test_notes_explain_the_automatic_steps() -> None:
    top = SCHOOL[0]
    top = replace(top, category_code="A0302", category_name="校外培训", keywords=("补课",))
    assert register_note(top) == "智能分拨自动立案：校外培训（教育文体） 90%"
    note = dispatch_note(top, 0.85, "教育局", "20261101T000000Z-abcd1234")
    assert note.startswith("智能分拨自动派遣至教育局：校外培训（教育文体） 90%")
    assert "阈值 85%" in note
    assert "依据词：补课、学校" in note  # the list's words first, then the model's
    assert note.endswith("模型版本 20261101T000000Z-abcd1234")


@pytest.mark.parametrize(
    ("router_unit", "dispatched", "case_category", "expected"),
    [
        ("JYJ", "JYJ", "A03", False),  # agreed
        ("JYJ", "WLJ", "A0305", True),  # another unit
        ("JYJ", "JYJ", "A07", True),  # the category lies outside the predicted group
        (None, "JYJ", "A03", True),  # the router named no unit
    ],
)
def test_needs_correction(
    router_unit: str | None, dispatched: str, case_category: str, expected: bool
) -> None:
    assert needs_correction("A03", router_unit, dispatched, case_category) is expected


def test_a_dispatch_to_the_cases_own_unit_teaches_its_categorys_label() -> None:
    found = corrected_label(
        case_category="A0701",
        case_department="JTJ",
        dispatched_department="JTJ",
        groups=GROUPS,
        department_by_label={"教育文体": "JYJ", "交通运输": "JTJ"},
    )
    assert found == ("交通运输", "A0701")


def test_a_dispatch_to_one_groups_unit_teaches_that_groups_label() -> None:
    found = corrected_label(
        case_category="A01",
        case_department="ST_HUBIN",
        dispatched_department="JYJ",
        groups=GROUPS,
        department_by_label={"城乡建设": "ST_HUBIN", "教育文体": "JYJ", "商贸旅游": "SJJ"},
    )
    assert found == ("教育文体", "A03")


@pytest.mark.parametrize(
    "by_label",
    [
        {"教育文体": "JYJ", "商贸旅游": "SJJ"},  # no group goes to WLJ
        {"教育文体": "WLJ", "商贸旅游": "WLJ"},  # two do: ambiguous
    ],
)
def test_a_dispatch_naming_no_single_label_teaches_nothing(by_label: dict[str, str]) -> None:
    found = corrected_label(
        case_category="A03",
        case_department="JYJ",
        dispatched_department="WLJ",
        groups=GROUPS,
        department_by_label=by_label,
    )
    assert found is None


@pytest.mark.parametrize("value", [-0.01, 1.01])
def test_the_threshold_setting_is_a_probability(
    value: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CITYOPS_ROUTER_MODEL_DIR")  # the suite's own (conftest), not the default
    with pytest.raises(ValidationError):
        Settings(router_auto_dispatch_confidence=value)
    assert Settings().router_auto_dispatch_confidence == 0.85
    assert Settings().router_model_dir == Path("var/models/router")


@pytest.mark.parametrize(
    ("text_probability", "outcome"),
    [
        (None, RoutingOutcome.auto_dispatched),  # no place view: the probability as it is
        (0.9, RoutingOutcome.auto_dispatched),
        (0.6, RoutingOutcome.queued),  # the place raised it over the threshold: not enough
    ],
)
def test_the_place_never_dispatches_by_itself(
    text_probability: float | None, outcome: RoutingOutcome
) -> None:
    top = replace(SCHOOL[0], probability=0.95, text_probability=text_probability)
    verdict = decide(FACTS, [top, SCHOOL[1]], 0.85)
    assert verdict is not None
    assert verdict.outcome is outcome
