"""The knowledge-base table. Tables never leave this module."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Integer,
    RowMapping,
    String,
    Table,
    Text,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from cityops.appeals.knowledge.model import Article, ArticleDraft, search_text
from cityops.infra.db import UTCDateTime, metadata

_ID = BigInteger().with_variant(Integer, "sqlite")

knowledge_articles = Table(
    "knowledge_articles",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("keywords", JSON, nullable=False),
    Column("answer", Text, nullable=False),
    Column("category_code", String(16), nullable=True),
    Column("department_code", String(40), nullable=True),
    Column("department_name", String(100), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("search_text", Text, nullable=False),  # normalised title, keywords and answer
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("updated_by", String(64), nullable=False),
)


def article_of(row: RowMapping) -> Article:
    return Article(
        code=row["code"],
        title=row["title"],
        answer=row["answer"],
        keywords=tuple(row["keywords"] or ()),
        category_code=row["category_code"],
        department_code=row["department_code"],
        department_name=row["department_name"],
        active=bool(row["active"]),
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
    )


def _values(draft: ArticleDraft) -> dict[str, Any]:
    return {
        "title": draft.title,
        "keywords": list(draft.keywords),
        "answer": draft.answer,
        "category_code": draft.category_code,
        "department_code": draft.department_code,
        "department_name": draft.department_name,
        "active": draft.active,
        "search_text": search_text(draft.title, draft.keywords, draft.answer),
    }


def get(session: Session, code: str) -> Article | None:
    row = (
        session.execute(select(knowledge_articles).where(knowledge_articles.c.code == code))
        .mappings()
        .first()
    )
    return article_of(row) if row is not None else None


def insert_article(session: Session, draft: ArticleDraft, *, at: datetime, by: str) -> None:
    session.execute(
        insert(knowledge_articles).values(
            code=draft.code, created_at=at, updated_at=at, updated_by=by, **_values(draft)
        )
    )


def update_article(session: Session, draft: ArticleDraft, *, at: datetime, by: str) -> None:
    session.execute(
        update(knowledge_articles)
        .where(knowledge_articles.c.code == draft.code)
        .values(updated_at=at, updated_by=by, **_values(draft))
    )


def count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(knowledge_articles)).scalar_one())


def all_articles(session: Session, *, include_inactive: bool) -> list[Article]:
    stmt = select(knowledge_articles).order_by(knowledge_articles.c.code)
    if not include_inactive:
        stmt = stmt.where(knowledge_articles.c.active.is_(True))
    return [article_of(r) for r in session.execute(stmt).mappings()]


def candidates(session: Session, grams: Sequence[str]) -> list[Article]:
    """Active articles whose normalised text contains at least one of the bigrams (in code
    order). Bigrams hold only letters, digits and CJK characters, so no LIKE escaping is
    needed."""
    if not grams:
        return []
    col = knowledge_articles.c.search_text
    stmt = (
        select(knowledge_articles)
        .where(knowledge_articles.c.active.is_(True), or_(*(col.contains(g) for g in grams)))
        .order_by(knowledge_articles.c.code)
    )
    return [article_of(r) for r in session.execute(stmt).mappings()]
