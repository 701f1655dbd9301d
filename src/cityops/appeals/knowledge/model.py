"""Knowledge articles as plain Python: the record, its validation and the search ranking.
No database, no HTTP.

Search works on character bigrams of the normalised text (NFKC, lower case, letters, digits and
CJK characters only), so it needs no word segmenter and behaves the same on SQLite and
PostgreSQL: the store narrows the articles to those whose normalised text contains one of the
query's bigrams (a LIKE per bigram), and `rank` orders them:

    score = 0.5 × keyword + 0.35 × title + 0.15 × answer

- keyword: the best of the article's question keywords — 1 when the keyword occurs whole in the
  query (a caller's sentence), 0.8 when the query is part of a keyword (a short search), else
  0.6 × the share of the keyword's bigrams found in the query;
- title: the bigrams shared with the title over the smaller of the two bigram sets;
- answer: the share of the query's bigrams found in the answer.

Bigrams that every consultation shares ("请问", "怎么", "办理", …) are left out of matching."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from cityops.cases.public import CONSULTATION_CATEGORY, is_consultation
from cityops.kernel.errors import ValidationFailed
from cityops.kernel.text import clean_optional, clean_text

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")
DEPARTMENT_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
CATEGORY_CODE_RE = re.compile(r"^[A-Z]\d{2}(\d{2})*$")
TITLE_MAX = 200
ANSWER_MAX = 4000  # the case engine keeps answers up to this length in the history
KEYWORD_MAX = 40
KEYWORDS_MAX = 30
DEPARTMENT_NAME_MAX = 100
KEYWORD_SPLIT = re.compile(r"[|;；,，、\n]+")

MAX_QUERY_GRAMS = 128  # bigrams of one query used to narrow the candidates in SQL
MIN_SCORE = 0.2  # weaker matches are not shown
WEIGHTS = (0.5, 0.35, 0.15)  # keyword, title, answer
# Bigrams of the way people ask, not of what they ask about.
_ASKING = (
    "请问 咨询 问一 一下 想问 我想 怎么 怎样 如何 什么 可以 能否 能不 不能 需要 哪里 哪些 是否 "
    "办理 问题 多少 时候 现在 这个 那个 我们 你们 他们 市民 来电 反映 希望 谢谢 知道 我的 "
    "有没 没有 一个 了解 情况 相关 具体"
)
STOP_GRAMS = frozenset(_ASKING.split())


@dataclass(frozen=True)
class ArticleDraft:
    """An article as written or imported (before it is stored)."""

    code: str
    title: str
    answer: str
    keywords: tuple[str, ...] = ()
    category_code: str | None = None  # the consultation category (under A13 咨询建议)
    department_code: str | None = None  # the unit whose rules the answer states
    department_name: str | None = None
    active: bool = True


@dataclass(frozen=True)
class Article:
    code: str
    title: str
    answer: str
    keywords: tuple[str, ...]
    category_code: str | None
    department_code: str | None
    department_name: str | None
    active: bool
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class ArticleHit:
    article: Article
    score: float


class Searchable(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def answer(self) -> str: ...
    @property
    def keywords(self) -> tuple[str, ...]: ...


# ---- validation ----------------------------------------------------------------------------


def _optional(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def keywords_of(value: Any) -> tuple[str, ...]:
    """Keywords from a list, or from one string separated by | ; , 、 or new lines."""
    items = value if isinstance(value, list | tuple) else KEYWORD_SPLIT.split(str(value or ""))
    seen: dict[str, None] = {}
    for item in items:
        word = str(item).strip()
        if word:
            seen.setdefault(word, None)
    return tuple(seen)


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "1", "true", "yes", "y", "是"):
        return True
    if text in ("0", "false", "no", "n", "否"):
        return False
    raise ValidationFailed(f"active must be true or false, not {value!r}", code="invalid_active")


def checked_draft(draft: ArticleDraft) -> ArticleDraft:
    """The draft cleaned (kernel/text.py), stripped and checked; ValidationFailed (422) naming
    what is wrong."""
    code = draft.code.strip()
    title = clean_text(draft.title).strip()
    answer = clean_text(draft.answer).strip()
    if not CODE_RE.fullmatch(code):
        raise ValidationFailed(
            f"article code {code!r} must be 2–32 letters, digits, '-' or '_'",
            code="invalid_article_code",
        )
    if not title or len(title) > TITLE_MAX:
        raise ValidationFailed(
            f"title must be 1–{TITLE_MAX} characters", code="invalid_title", article=code
        )
    if not answer or len(answer) > ANSWER_MAX:
        raise ValidationFailed(
            f"answer must be 1–{ANSWER_MAX} characters", code="invalid_answer", article=code
        )
    keywords = keywords_of([clean_text(k) for k in draft.keywords])
    if len(keywords) > KEYWORDS_MAX or any(len(k) > KEYWORD_MAX for k in keywords):
        raise ValidationFailed(
            f"at most {KEYWORDS_MAX} keywords of at most {KEYWORD_MAX} characters each",
            code="invalid_keywords",
            article=code,
        )
    category = _optional(draft.category_code)
    if category is not None and not (
        CATEGORY_CODE_RE.fullmatch(category) and is_consultation(category)
    ):
        raise ValidationFailed(
            f"category_code {category!r} must be a consultation category under "
            f"{CONSULTATION_CATEGORY} 咨询建议 (e.g. A1301)",
            code="invalid_article_category",
            article=code,
        )
    dept_code = _optional(draft.department_code)
    if dept_code is not None and not DEPARTMENT_CODE_RE.fullmatch(dept_code):
        raise ValidationFailed(
            f"department_code {dept_code!r} must be letters, digits, '-' or '_'",
            code="invalid_department_code",
            article=code,
        )
    dept_name = _optional(clean_optional(draft.department_name))
    if dept_name is not None and len(dept_name) > DEPARTMENT_NAME_MAX:
        raise ValidationFailed(
            f"department_name is longer than {DEPARTMENT_NAME_MAX} characters",
            code="invalid_department_name",
            article=code,
        )
    return ArticleDraft(
        code=code,
        title=title,
        answer=answer,
        keywords=keywords,
        category_code=category,
        department_code=dept_code,
        department_name=dept_name,
        active=draft.active,
    )


def draft_from_row(row: Mapping[str, Any]) -> ArticleDraft:
    """One row of an import file (YAML item or CSV line) as a checked draft."""
    return checked_draft(
        ArticleDraft(
            code=str(row.get("code") or ""),
            title=str(row.get("title") or ""),
            answer=str(row.get("answer") or ""),
            keywords=keywords_of(row.get("keywords")),
            category_code=_optional(row.get("category_code")),
            department_code=_optional(row.get("department_code")),
            department_name=_optional(row.get("department_name")),
            active=_truthy(row.get("active", True)),
        )
    )


# ---- search --------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """NFKC, lower case, and only letters, digits and CJK characters kept."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def search_text(title: str, keywords: Iterable[str], answer: str) -> str:
    """The normalised text the store searches (title, keywords and answer, separated)."""
    return " ".join(normalise(part) for part in (title, *keywords, answer))


def _ordered_grams(norm: str) -> list[str]:
    if len(norm) < 2:
        return [norm] if norm else []
    out: dict[str, None] = {}
    for i in range(len(norm) - 1):
        gram = norm[i : i + 2]
        if gram not in STOP_GRAMS:
            out.setdefault(gram, None)
    return list(out)


def grams(text: str) -> frozenset[str]:
    """The informative character bigrams of a text (the character itself when only one)."""
    return frozenset(_ordered_grams(normalise(text)))


def query_grams(query: str) -> list[str]:
    """The bigrams the store looks for, in the order they occur (at most MAX_QUERY_GRAMS)."""
    return _ordered_grams(normalise(query))[:MAX_QUERY_GRAMS]


def _keyword_score(keyword: str, q_norm: str, q_grams: frozenset[str]) -> float:
    k = normalise(keyword)
    if not k:
        return 0.0
    if k in q_norm:
        return 1.0
    if len(q_norm) >= 2 and q_norm in k:
        return 0.8
    k_grams = grams(k)
    if not k_grams:
        return 0.0
    return 0.6 * len(k_grams & q_grams) / len(k_grams)


def score(query: str, article: Searchable) -> float:
    """How well the article answers the query, in [0, 1] (see the module docstring)."""
    q_norm = normalise(query)
    q_grams = grams(query)
    if not q_norm:
        return 0.0
    keyword = max((_keyword_score(k, q_norm, q_grams) for k in article.keywords), default=0.0)
    t_grams = grams(article.title)
    shared = len(t_grams & q_grams)
    title = shared / min(len(t_grams), len(q_grams)) if shared else 0.0
    answer = len(q_grams & grams(article.answer)) / len(q_grams) if q_grams else 0.0
    a, b, c = WEIGHTS
    return round(a * keyword + b * title + c * answer, 4)


S = TypeVar("S", bound=Searchable)


def rank(
    query: str, articles: Sequence[S], *, limit: int, min_score: float = MIN_SCORE
) -> list[tuple[S, float]]:
    """The best `limit` articles scoring at least `min_score`, best first (ties: given order)."""
    scored = [(a, score(query, a)) for a in articles]
    kept = [(a, s) for a, s in scored if s >= min_score]
    kept.sort(key=lambda pair: -pair[1])
    return kept[:limit]
