"""platform.knowledge: search, read, write and import knowledge articles (知识库). Every use case
checks its rule in policy.py first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cityops.appeals.knowledge import policy, store
from cityops.appeals.knowledge.io import DEFAULT_ARTICLES_FILE, read_rows
from cityops.appeals.knowledge.model import (
    Article,
    ArticleDraft,
    ArticleHit,
    checked_draft,
    draft_from_row,
    query_grams,
    rank,
)
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.kernel.errors import Conflict, DomainError, NotFound, ValidationFailed
from cityops.kernel.text import checked_code

MAX_LIMIT = 20
QUERY_MAX = 2000
_SHOWN_PROBLEMS = 10


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _same(article: Article, draft: ArticleDraft) -> bool:
    return (
        article.title,
        article.answer,
        article.keywords,
        article.category_code,
        article.department_code,
        article.department_name,
        article.active,
    ) == (
        draft.title,
        draft.answer,
        draft.keywords,
        draft.category_code,
        draft.department_code,
        draft.department_name,
        draft.active,
    )


class KnowledgeService:
    """platform.knowledge"""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    # ---- reads -----------------------------------------------------------------------------

    def search(self, session: Session, actor: Actor, q: str, *, limit: int = 5) -> list[ArticleHit]:
        """Active articles matching the words of `q` (a search or a caller's whole sentence),
        best first; [] when nothing matches well enough."""
        policy.check_read_articles(actor)
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationFailed(f"limit must be in [1, {MAX_LIMIT}]", code="bad_limit")
        q = (q or "").strip()[:QUERY_MAX]
        found = store.candidates(session, query_grams(q))
        return [ArticleHit(a, s) for a, s in rank(q, found, limit=limit)]

    def list_articles(
        self, session: Session, actor: Actor, *, include_inactive: bool = False
    ) -> list[Article]:
        """Every article in code order; inactive ones only for those who manage the base."""
        policy.check_read_articles(actor)
        if include_inactive:
            policy.check_manage_articles(actor)
        return store.all_articles(session, include_inactive=include_inactive)

    def get_article(self, session: Session, actor: Actor, code: str) -> Article:
        """An article by code (an inactive one too: old answers name it)."""
        policy.check_read_articles(actor)
        checked_code(code, field="article_code")
        found = store.get(session, code)
        if found is None:
            raise NotFound(f"no knowledge article {code!r}", code="article_not_found", article=code)
        return found

    # ---- writes ----------------------------------------------------------------------------

    def create_article(self, uow: UnitOfWork, actor: Actor, draft: ArticleDraft) -> Article:
        policy.check_manage_articles(actor)
        draft = checked_draft(draft)
        if store.get(uow.session, draft.code) is not None:
            raise Conflict(
                f"knowledge article {draft.code!r} exists already: change it with PUT",
                code="article_exists",
            )
        store.insert_article(uow.session, draft, at=self.clock.now(), by=actor.username)
        return self._stored(uow.session, draft.code)

    def update_article(self, uow: UnitOfWork, actor: Actor, draft: ArticleDraft) -> Article:
        """Replace every field of an existing article (deactivate with active=False)."""
        policy.check_manage_articles(actor)
        draft = checked_draft(draft)
        if store.get(uow.session, draft.code) is None:
            raise NotFound(
                f"no knowledge article {draft.code!r} to change", code="article_not_found"
            )
        store.update_article(uow.session, draft, at=self.clock.now(), by=actor.username)
        return self._stored(uow.session, draft.code)

    def import_articles(
        self, uow: UnitOfWork, actor: Actor, rows: Sequence[Mapping[str, Any]]
    ) -> ImportResult:
        """Create or update an article per row (by code); all rows or none. Articles not in the
        rows stay as they are."""
        policy.check_manage_articles(actor)
        drafts: list[ArticleDraft] = []
        problems: list[str] = []
        seen: set[str] = set()
        for number, row in enumerate(rows, start=1):
            try:
                draft = draft_from_row(row)
            except DomainError as exc:
                problems.append(f"row {number}: {exc.message}")
                continue
            if draft.code in seen:
                problems.append(f"row {number}: article {draft.code} appears twice")
            seen.add(draft.code)
            drafts.append(draft)
        if problems:
            shown = "; ".join(problems[:_SHOWN_PROBLEMS])
            more = len(problems) - _SHOWN_PROBLEMS
            raise ValidationFailed(
                f"import refused, nothing was written — {len(problems)} problem(s): {shown}"
                + (f"; and {more} more" if more > 0 else ""),
                code="invalid_import",
                problems=problems,
            )
        now = self.clock.now()
        created = updated = unchanged = 0
        for draft in drafts:
            old = store.get(uow.session, draft.code)
            if old is None:
                store.insert_article(uow.session, draft, at=now, by=actor.username)
                created += 1
            elif _same(old, draft):
                unchanged += 1
            else:
                store.update_article(uow.session, draft, at=now, by=actor.username)
                updated += 1
        return ImportResult(created=created, updated=updated, unchanged=unchanged)

    def load_defaults(self, uow: UnitOfWork, actor: Actor) -> ImportResult:
        """The shipped default articles, only into an empty knowledge base (so `cityops init`
        may run again without undoing a centre's own edits)."""
        policy.check_manage_articles(actor)
        if store.count(uow.session) > 0:
            return ImportResult()
        return self.import_articles(uow, actor, read_rows(DEFAULT_ARTICLES_FILE))

    def _stored(self, session: Session, code: str) -> Article:
        found = store.get(session, code)
        assert found is not None
        return found
