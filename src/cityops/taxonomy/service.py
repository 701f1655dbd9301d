"""Use cases of the taxonomy and responsibility list (权责清单): read, change, import, export.
Every change is checked by taxonomy.policy and versioned in category_revisions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.kernel.errors import NotFound, ValidationFailed
from cityops.kernel.ttl_cache import TtlCache
from cityops.org.public import OrgService
from cityops.taxonomy import store
from cityops.taxonomy.model import (
    Category,
    CategoryKind,
    TaxonomyFormatError,
    category_from_row,
    category_problems,
    cleaned,
    department_problems,
    named_department,
)
from cityops.taxonomy.policy import check_manage_taxonomy
from cityops.taxonomy.store import CategoryRevision

ProgressCallback = Callable[[int], None]
_SHOWN_PROBLEMS = 10


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: tuple[str, ...] = field(default=(), repr=False)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class _Problem:
    row: int | None
    code: str | None
    problem: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else ""
        if self.code:
            where = f"{where} ({self.code})" if where else f"category {self.code}"
        return f"{where}: {self.problem}"

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "code": self.code, "problem": self.problem}


CACHE_SECONDS = 30.0


class TaxonomyService:
    """platform.taxonomy"""

    def __init__(self, clock: Clock, org: OrgService) -> None:
        self.clock = clock
        self.org = org  # the departments a fixed responsibility names must exist
        # Intake looks a category up on every case. Writes in this process clear the cache;
        # other processes' writes are seen within CACHE_SECONDS.
        self._cache: TtlCache[Category | None] = TtlCache(CACHE_SECONDS)
        self._parents: TtlCache[frozenset[str]] = TtlCache(CACHE_SECONDS)

    # reads -----------------------------------------------------------------------------

    def get_category(self, session: Session, code: str) -> Category:
        category = self._cache.get_or_load(code, lambda: store.get(session, code))
        if category is None:
            raise NotFound(f"unknown category {code!r}", code="unknown_category", category=code)
        return category

    def active_leaf(self, session: Session, code: str) -> Category | None:
        """The category if it is in use and has no active children (what a case can be filed
        under), else None. Read through the caches."""
        category = self._cache.get_or_load(code, lambda: store.get(session, code))
        if category is None or not category.active or code in self.parent_codes(session):
            return None
        return category

    def find_category(self, session: Session, code: str) -> Category | None:
        return store.get(session, code)

    def list_categories(
        self,
        session: Session,
        *,
        kind: CategoryKind | None = None,
        leaf_only: bool = False,
        q: str | None = None,
        include_inactive: bool = False,
    ) -> list[Category]:
        """Categories in code order; `leaf_only` keeps those without (active) children; `q`
        searches name and code."""
        found = store.query(session, kind=kind, q=q, include_inactive=include_inactive)
        if leaf_only:
            parents = store.parent_codes(session, include_inactive=include_inactive)
            found = [c for c in found if c.code not in parents]
        return found

    def parent_codes(self, session: Session) -> frozenset[str]:
        """Codes with active children; a category whose code is not here is a leaf."""
        return self._parents.get_or_load("all", lambda: frozenset(store.parent_codes(session)))

    def revisions(self, session: Session, code: str) -> list[CategoryRevision]:
        self.get_category(session, code)
        return store.revisions(session, code)

    def export_categories(self, session: Session) -> list[Category]:
        """Every category, inactive ones included, parents before children."""
        return store.query(session, include_inactive=True)

    def department_codes_used(self, session: Session) -> set[str]:
        """Department codes the list routes to (the demo creates these departments in org)."""
        return store.department_codes(session)

    # writes ----------------------------------------------------------------------------

    def upsert_category(self, uow: UnitOfWork, actor: Actor, category: Category) -> Category:
        """Create or replace one category; a revision records the change (none if unchanged)."""
        check_manage_taxonomy(actor)
        category = cleaned(category)
        problems = self._problems(uow.session, [(None, category)])
        if problems:
            raise ValidationFailed(
                f"category {category.code} is invalid: " + "; ".join(p.problem for p in problems),
                code="invalid_category",
                problems=[p.to_json() for p in problems],
            )
        self._write(uow.session, actor, [category], None)
        return category

    def deactivate_category(self, uow: UnitOfWork, actor: Actor, code: str) -> Category:
        """Take a category out of use (kept for history); it must have no active children."""
        check_manage_taxonomy(actor)
        current = self.get_category(uow.session, code)
        if not current.active:
            return current
        return self.upsert_category(uow, actor, replace(current, active=False))

    def import_categories(
        self,
        uow: UnitOfWork,
        actor: Actor,
        rows: Sequence[Mapping[str, Any]],
        *,
        progress: ProgressCallback | None = None,
    ) -> ImportResult:
        """Create or update every row; all or nothing. Rows are numbered from 1 (the first data
        row). Categories not in the rows stay as they are."""
        check_manage_taxonomy(actor)
        parsed: list[tuple[int | None, Category]] = []
        problems: list[_Problem] = []
        for number, row in enumerate(rows, start=1):
            try:
                parsed.append((number, cleaned(category_from_row(row))))
            except TaxonomyFormatError as exc:
                problems.append(_Problem(number, str(row.get("code") or "") or None, str(exc)))
        parsed = self._keep_keywords(uow.session, rows, parsed)
        problems.extend(self._problems(uow.session, parsed))
        if problems:
            problems.sort(key=lambda p: p.row or 0)
            shown = "; ".join(str(p) for p in problems[:_SHOWN_PROBLEMS])
            more = len(problems) - _SHOWN_PROBLEMS
            raise ValidationFailed(
                f"import refused, nothing was written — {len(problems)} problem(s): {shown}"
                + (f"; and {more} more" if more > 0 else ""),
                code="invalid_import",
                problems=[p.to_json() for p in problems],
            )
        return self._write(uow.session, actor, [c for _, c in parsed], progress)

    def list_stamp(self, session: Session) -> int:
        """Changes whenever the list changes, in any process (the latest revision's id): a
        cache built from the list compares it to know it is out of date. One small query."""
        return store.latest_revision_id(session)

    # internals -------------------------------------------------------------------------

    @staticmethod
    def _keep_keywords(
        session: Session,
        rows: Sequence[Mapping[str, Any]],
        parsed: Sequence[tuple[int | None, Category]],
    ) -> list[tuple[int | None, Category]]:
        """A row without a `keywords` field (a file from before they were a field of the list)
        keeps the stored category's keywords; an empty one clears them."""
        without = {str(row.get("code") or "").strip() for row in rows if "keywords" not in row}
        stored = store.get_many(session, (c.code for _, c in parsed if c.code in without))
        return [
            (n, replace(c, keywords=stored[c.code].keywords) if c.code in stored else c)
            for n, c in parsed
        ]

    def _problems(
        self, session: Session, batch: Sequence[tuple[int | None, Category]]
    ) -> list[_Problem]:
        """Validate a batch against itself and the stored list (parents may come from either)."""
        problems: list[_Problem] = []
        incoming: dict[str, Category] = {}
        for row, category in batch:
            if category.code in incoming:
                problems.append(_Problem(row, category.code, "the code appears more than once"))
            incoming[category.code] = category
        wanted = {c.parent_code for c in incoming.values() if c.parent_code} | set(incoming)
        stored = store.get_many(session, wanted)
        departments: dict[str, bool] = {}
        if any(named_department(c) for c in incoming.values()):
            departments = {d.code: d.active for d in self.org.list_departments(session)}

        def current(code: str | None) -> Category | None:
            return None if code is None else incoming.get(code) or stored.get(code)

        for row, category in batch:
            parent = current(category.parent_code)
            found = category_problems(category, parent)
            found.extend(department_problems(category, departments))
            if parent is not None and category.active and not parent.active:
                found.append(f"parent category {parent.code} is deactivated")
            if not category.active:
                found.extend(self._children_problems(session, category.code, incoming))
            problems.extend(_Problem(row, category.code, p) for p in found)
        return problems

    def _children_problems(
        self, session: Session, code: str, incoming: Mapping[str, Category]
    ) -> Iterable[str]:
        children = set(store.active_children(session, code))
        children |= {c.code for c in incoming.values() if c.parent_code == code and c.active}
        still_active = sorted(
            child for child in children if child not in incoming or incoming[child].active
        )
        if still_active:
            yield (
                "cannot deactivate a category with active children: "
                + ", ".join(still_active[:5])
                + (" …" if len(still_active) > 5 else "")
            )

    def _write(
        self,
        session: Session,
        actor: Actor,
        batch: Sequence[Category],
        progress: ProgressCallback | None,
    ) -> ImportResult:
        self._cache.clear()
        self._parents.clear()
        stored = store.get_many(session, (c.code for c in batch))
        now = self.clock.now()
        created = updated = unchanged = 0
        changes: list[store.Change] = []
        for category in sorted(batch, key=lambda c: (c.level, c.code)):  # parents first
            before = stored.get(category.code)
            if before == category:
                unchanged += 1
            else:
                if before is None:
                    change, created = "created", created + 1
                else:
                    change = "deactivated" if before.active and not category.active else "updated"
                    updated += 1
                changes.append(store.Change(category, before, change))
        store.save_many(session, changes, at=now, by=actor.username)
        if progress is not None:
            progress(len(batch))
        self._cache.clear()  # and again: another thread may have cached the old rows meanwhile
        self._parents.clear()
        return ImportResult(created, updated, unchanged, tuple(c.code for c in batch))
