"""What the rest of cityops may use of the knowledge base (知识库): the service built in app.py as
`platform.knowledge`, an article, a draft and a search hit with their bounds, and the reader of
an article file (for the CLI's import)."""

from __future__ import annotations

from cityops.appeals.knowledge.io import read_rows
from cityops.appeals.knowledge.model import ANSWER_MAX, TITLE_MAX, Article, ArticleDraft, ArticleHit
from cityops.appeals.knowledge.service import MAX_LIMIT, QUERY_MAX, KnowledgeService

__all__ = [
    "ANSWER_MAX",
    "MAX_LIMIT",
    "QUERY_MAX",
    "TITLE_MAX",
    "Article",
    "ArticleDraft",
    "ArticleHit",
    "KnowledgeService",
    "read_rows",
]
