"""API: the knowledge base for consultations (知识库). Operators and the centre roles search and
read; administrators and shift leaders write."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from cityops.appeals.knowledge.public import (
    ANSWER_MAX,
    MAX_LIMIT,
    QUERY_MAX,
    TITLE_MAX,
    Article,
    ArticleDraft,
    ArticleHit,
)
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession

router = APIRouter(prefix="/api/v1", tags=["knowledge"])


class ArticleWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=TITLE_MAX, examples=["住房公积金提取"])
    keywords: list[str] = Field(default_factory=list, max_length=30, examples=[["公积金提取"]])
    answer: str = Field(min_length=1, max_length=ANSWER_MAX)
    category_code: str | None = Field(default="A1301", max_length=16)
    department_code: str | None = Field(default=None, max_length=40, examples=["GJJ"])
    department_name: str | None = Field(default=None, max_length=100)
    active: bool = True

    def draft(self, code: str) -> ArticleDraft:
        return ArticleDraft(
            code=code,
            title=self.title,
            answer=self.answer,
            keywords=tuple(self.keywords),
            category_code=self.category_code,
            department_code=self.department_code,
            department_name=self.department_name,
            active=self.active,
        )


class ArticleCreate(ArticleWrite):
    code: str = Field(min_length=2, max_length=32, examples=["KB031"])


class ArticlePublic(BaseModel):
    code: str
    title: str
    keywords: list[str]
    answer: str
    category_code: str | None
    department_code: str | None
    department_name: str | None
    active: bool
    updated_at: datetime
    updated_by: str
    score: float | None = Field(default=None, description="search relevance in [0, 1]")

    @classmethod
    def of(cls, a: Article, score: float | None = None) -> ArticlePublic:
        return cls(
            code=a.code,
            title=a.title,
            keywords=list(a.keywords),
            answer=a.answer,
            category_code=a.category_code,
            department_code=a.department_code,
            department_name=a.department_name,
            active=a.active,
            updated_at=a.updated_at,
            updated_by=a.updated_by,
            score=score,
        )

    @classmethod
    def of_hit(cls, hit: ArticleHit) -> ArticlePublic:
        return cls.of(hit.article, hit.score)


@router.get("/knowledge", response_model=list[ArticlePublic])
def search_knowledge(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    q: Annotated[str, Query(max_length=QUERY_MAX, description="words or a whole question")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    include_inactive: bool = False,
) -> list[ArticlePublic]:
    """With `q`: the best matching active articles, most relevant first. Without: every article
    in code order (inactive ones too with `include_inactive`, for admins and shift leaders)."""
    if q.strip():
        hits = platform.knowledge.search(session, actor, q, limit=limit)
        return [ArticlePublic.of_hit(h) for h in hits]
    found = platform.knowledge.list_articles(session, actor, include_inactive=include_inactive)
    return [ArticlePublic.of(a) for a in found]


@router.get("/knowledge/{code}", response_model=ArticlePublic)
def get_article(
    code: str, platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> ArticlePublic:
    return ArticlePublic.of(platform.knowledge.get_article(session, actor, code))


@router.post("/knowledge", response_model=ArticlePublic, status_code=status.HTTP_201_CREATED)
def create_article(
    body: ArticleCreate, platform: PlatformDep, actor: CurrentActor
) -> ArticlePublic:
    with platform.uow() as uow:
        article = platform.knowledge.create_article(uow, actor, body.draft(body.code))
    return ArticlePublic.of(article)


@router.put("/knowledge/{code}", response_model=ArticlePublic)
def update_article(
    code: str, body: ArticleWrite, platform: PlatformDep, actor: CurrentActor
) -> ArticlePublic:
    """Replace an article's fields (set `active: false` to retire it)."""
    with platform.uow() as uow:
        article = platform.knowledge.update_article(uow, actor, body.draft(code))
    return ArticlePublic.of(article)
