"""Knowledge-base search ranking (pure): keywords in a caller's sentence, a short typed search,
title overlap, the shipped default set finding itself, and what is not shown."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cityops.appeals.knowledge.io import DEFAULT_ARTICLES_FILE, read_rows
from cityops.appeals.knowledge.model import (
    MAX_QUERY_GRAMS,
    ArticleDraft,
    draft_from_row,
    grams,
    query_grams,
    rank,
    score,
)


@dataclass(frozen=True)
class Doc:
    code: str
    title: str
    answer: str
    keywords: tuple[str, ...] = ()


FUND = Doc(
    "KB1",
    "住房公积金提取",
    "购房、租房可以申请提取住房公积金，请携带身份证到服务网点办理。",
    ("公积金提取", "提取公积金", "公积金"),
)
LOAN = Doc("KB2", "住房公积金贷款", "缴存职工购房可以申请公积金贷款。", ("公积金贷款",))
PERMIT = Doc(
    "KB3", "居住证办理", "到居住地派出所办理居住登记后申领居住证。", ("居住证", "居住登记")
)
WASTE = Doc("KB4", "生活垃圾分类与投放时间", "按小区公示的时间分类投放。", ("垃圾分类", "投放时间"))
DOCS = [FUND, LOAN, PERMIT, WASTE]


def codes(query: str, limit: int = 3) -> list[str]:
    return [d.code for d, _ in rank(query, DOCS, limit=limit)]


def test_a_callers_sentence_finds_the_article_by_its_keyword() -> None:
    assert codes("您好，我想问一下租房的话公积金怎么提取出来？")[0] == "KB1"


def test_a_short_search_finds_the_article_by_part_of_its_title() -> None:
    assert codes("公积金")[:2] == ["KB1", "KB2"]  # both mention it; the keyword hit ranks first
    assert codes("公积金贷款")[0] == "KB2"
    assert codes("居住")[0] == "KB3"


def test_keywords_outweigh_words_shared_with_the_answer() -> None:
    # "购房" occurs in both answers, "贷款" is KB2's keyword
    assert codes("购房贷款")[0] == "KB2"
    assert score("购房贷款", LOAN) > score("购房贷款", FUND)


def test_asking_words_alone_match_nothing() -> None:
    assert codes("请问一下怎么办理") == []
    assert codes("") == []
    assert grams("请问") == frozenset()


def test_unrelated_text_is_not_shown() -> None:
    assert codes("路灯坏了晚上很黑") == []


def test_scores_are_in_unit_range_and_ordered() -> None:
    found = rank("公积金提取", DOCS, limit=4)
    values = [s for _, s in found]
    assert values == sorted(values, reverse=True)
    assert all(0 < s <= 1 for s in values)


def test_long_text_bounds_the_sql_narrowing() -> None:
    text = "".join(chr(0x4E00 + i) for i in range(400))
    assert len(query_grams(text)) == MAX_QUERY_GRAMS


def test_every_default_article_is_valid_and_finds_itself_by_its_title() -> None:
    drafts: list[ArticleDraft] = [draft_from_row(r) for r in read_rows(DEFAULT_ARTICLES_FILE)]
    assert len(drafts) == 30
    assert len({d.code for d in drafts}) == 30
    assert all(d.category_code and d.category_code.startswith("A13") for d in drafts)
    for d in drafts:
        best = rank(d.title, drafts, limit=1)
        assert [a.code for a, _ in best] == [d.code], d.title


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("孩子刚出生怎么上户口", "KB009"),
        ("我想提取公积金", "KB001"),
        ("社保卡丢了怎么补办", "KB004"),
        ("小区垃圾分类投放时间是几点", "KB012"),
        ("家里突然停电了怎么回事", "KB015"),
        ("在外地看病怎么办理异地就医备案", "KB007"),
    ],
)
def test_default_articles_answer_common_calls(question: str, code: str) -> None:
    drafts = [draft_from_row(r) for r in read_rows(DEFAULT_ARTICLES_FILE)]
    assert rank(question, drafts, limit=1)[0][0].code == code
