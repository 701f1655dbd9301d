"""The leaf model (leaves.py): the responsibility list's own words move a message from the board
label's group to the leaf they name; without them only the group is known; operators'
corrections teach it; and on the default list with a model trained on real appeals, the four
appeals of issue #14 go to their leaf and unit, and the hand-written set mostly does too."""

from __future__ import annotations

from pathlib import Path

import pytest
from leaf_messages import ISSUE_EXAMPLES, LEAF_MESSAGES

from cityops.appeals.routing.dataset import read_labelled
from cityops.appeals.routing.labels import LABEL_GROUPS
from cityops.appeals.routing.leaves import Example, LeafIndex, LeafSpec, specs_of
from cityops.appeals.routing.model import RoutingModel, segment
from cityops.appeals.routing.stopwords import is_evidence_word
from cityops.taxonomy.public import (
    Category,
    FileFormat,
    category_from_row,
    default_keywords,
    read_rows,
)
from cityops.taxonomy.transfer import DEFAULT_TAXONOMY_FILE

SPECS = [
    LeafSpec("A01", "城乡建设", "A01", is_leaf=False),
    LeafSpec("A0110", "住房公积金", "A01", ("公积金",)),
    LeafSpec("A0106", "房屋租赁", "A01", ("租房", "房东")),
    LeafSpec("A0109", "住房保障", "A01", ("公租房",)),
    LeafSpec("A11", "城市管理", "A11", is_leaf=False),
    LeafSpec("A1103", "路灯不亮", "A11", ("路灯",)),
    LeafSpec("A1104", "市政设施损坏", "A11", ("坑", "井盖")),
    LeafSpec("A03", "教育文体", "A03"),  # a group without children is a leaf itself
]
LABELS = {"城乡建设": ("A01", "A11"), "教育文体": ("A03",)}


def test_the_lists_words_move_a_message_to_the_leaf_they_name() -> None:
    index = LeafIndex(SPECS, LABELS)
    top = index.rank("马路上有个大坑", {"城乡建设": 0.95, "教育文体": 0.05})
    assert (top[0].code, top[0].leaf, top[0].label) == ("A1104", True, "城乡建设")
    assert top[0].probability > 0.85  # one word of the list: e^3 ≈ 20 times the odds
    assert top[0].matched == ("坑",)
    assert top[0].label_probability == pytest.approx(0.95)


def test_without_the_lists_words_only_the_group_is_known() -> None:
    index = LeafIndex(SPECS, LABELS)
    top = index.rank("你好，请问一下", {"城乡建设": 0.9, "教育文体": 0.1})
    assert (top[0].code, top[0].leaf) == ("A01", False)  # the label's main group, no leaf
    assert top[0].probability == pytest.approx(0.9)


def test_a_group_without_children_is_a_leaf() -> None:
    index = LeafIndex(SPECS, LABELS)
    top = index.rank("学校的事", {"城乡建设": 0.1, "教育文体": 0.9})
    assert (top[0].code, top[0].leaf) == ("A03", True)
    assert top[0].probability == pytest.approx(0.9)


def test_strong_words_of_another_group_win_over_the_label() -> None:
    index = LeafIndex(SPECS, LABELS)
    top = index.rank("公积金怎么提取", {"城乡建设": 0.2, "教育文体": 0.8})
    assert top[0].code == "A0110"


def test_a_word_inside_a_longer_word_of_another_leaf_is_that_ones() -> None:
    index = LeafIndex(SPECS, LABELS)
    top = index.rank("申请公租房排队两年", {"城乡建设": 0.95, "教育文体": 0.05})
    assert top[0].code == "A0109"  # not 房屋租赁 for the 租房 in 公租房


def test_two_leaves_named_equally_are_both_unsure() -> None:
    index = LeafIndex(SPECS, LABELS)
    top = index.rank("路灯旁边有个坑", {"城乡建设": 1.0})
    assert {top[0].code, top[1].code} == {"A1103", "A1104"}
    assert top[0].probability == pytest.approx(top[1].probability)
    assert top[0].probability < 0.6


def test_an_operators_correction_teaches_the_next_similar_message() -> None:
    text = "小区北门外面那段路一下雨就积水很深"
    words = frozenset(segment(text).split())
    before = LeafIndex(SPECS, LABELS).rank(text, {"城乡建设": 0.95}, words)
    assert before[0].leaf is False  # no word of the list in it
    taught = LeafIndex(SPECS, LABELS, [Example("A1104", words)])
    after = taught.rank("小区北门外面那段路一下雨就积水很深啊", {"城乡建设": 0.95}, words)
    assert (after[0].code, after[0].leaf) == ("A1104", True)
    assert after[0].probability > 0.9


# ---- the default list with a small model trained on real appeals ----------------------------


def _default_list() -> list[Category]:
    rows = read_rows(DEFAULT_TAXONOMY_FILE, FileFormat.yaml)
    return [category_from_row(r) for r in rows if str(r["code"]).startswith("A")]


@pytest.fixture(scope="module")
def real_model(shared_data: Path) -> RoutingModel:
    data = shared_data / "tipdm2020_c" / "appeals_labeled_raw_2537.csv"
    dataset = read_labelled(data, "text", "一级标签", sample=600)  # a few seconds
    return RoutingModel.train(dataset.docs, dataset.labels)


@pytest.fixture(scope="module")
def default_index() -> LeafIndex:
    def words(text: str) -> list[str]:
        return [w for w in segment(text).split() if is_evidence_word(w)]

    return LeafIndex(specs_of(_default_list(), default_keywords(), words), LABEL_GROUPS)


def _rank(model: RoutingModel, index: LeafIndex, text: str) -> list:  # type: ignore[type-arg]
    tokens = segment(text)
    labels = {s.label: s.probability for s in model.analyse(tokens).suggestions(7)}
    return index.rank(text, labels, tokens.split(), k=3)


@pytest.mark.parametrize(("leaf", "unit", "text"), ISSUE_EXAMPLES)
def test_the_issues_four_appeals_go_to_their_leaf_and_unit(
    real_model: RoutingModel, default_index: LeafIndex, leaf: str, unit: str, text: str
) -> None:
    top = _rank(real_model, default_index, text)[0]
    assert (top.code, top.leaf) == (leaf, True)
    category = {c.code: c for c in _default_list()}[leaf]
    assert (category.department_code or category.responsible_kind.value) == unit
    assert unit != "ZJJ"  # none of them is 住建局's, where the board label sent them all


def test_leaf_accuracy_on_the_hand_written_appeals(
    real_model: RoutingModel, default_index: LeafIndex
) -> None:
    right = sum(_rank(real_model, default_index, t)[0].code == code for code, t in LEAF_MESSAGES)
    assert len(LEAF_MESSAGES) >= 60
    assert right / len(LEAF_MESSAGES) >= 0.85


def test_evidence_words_explain(real_model: RoutingModel) -> None:
    text = "我们这条街的路灯坏了一个星期，晚上一片漆黑，请测试一下并维修，谢谢领导"
    analysis = real_model.analyse(segment(text))
    label = analysis.suggestions(1)[0].label
    words = [w for w, _ in analysis.evidence(label, 8)]
    assert words
    for banned in ("请", "测试", "谢谢", "领导", "一下", "星期", "晚上"):
        assert all(banned not in w.split() for w in words), words
    assert all(is_evidence_word(w) for w in words)
