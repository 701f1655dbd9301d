"""Reads for the public feeds over many cases, each in a fixed number of statements whatever the
number of cases: cases by their numbers, the history lines written in a time window, and the
chains of merges (合并办理) that lead from some cases to the cases they were merged into. The
Open311 reads (requests, servicerequestupdates) go through these instead of a query per case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CTE, ColumnElement, RowMapping, and_, case, literal, or_, select, true
from sqlalchemy.orm import Session

from cityops.cases.dtos import CaseFilter, HistoryEntry
from cityops.cases.model import CaseSource
from cityops.cases.queries import _history_entry, filter_clauses
from cityops.cases.rows import CaseRecord, record_of
from cityops.cases.scoping import scope_clause
from cityops.cases.store import case_history, cases
from cityops.kernel.actor import Actor

MAX_HOPS = 8  # a chain of merges is followed this far (appeals.merging cuts it there too)


@dataclass(frozen=True)
class StepCase:
    """What a feed of steps needs of a case: its number, the reporter's name (to mask it in the
    notes), where it was merged into, whether it matched the filter (`listed`) or was only
    reached as a merge target, and its source (what the feed may show of it)."""

    id: int
    number: str
    reporter_name: str | None
    merged_into_id: int | None
    listed: bool
    source: CaseSource


@dataclass(frozen=True)
class CaseStep:
    """A history line with the case it belongs to."""

    case: StepCase
    entry: HistoryEntry


@dataclass(frozen=True)
class MergedCase:
    """A merged case (listed, or on a chain) with its last merge line (None if it has none)."""

    case: StepCase
    merge: HistoryEntry | None


@dataclass(frozen=True)
class StepWindow:
    """The lines written in a window by the cases of a filter and by the cases they were merged
    into (`steps`, by case and seq), and every merged case among both (`merged`)."""

    steps: tuple[CaseStep, ...]
    merged: tuple[MergedCase, ...]


Seeds = CaseFilter | Sequence[int]


def _seed_clause(seeds: Seeds) -> ColumnElement[bool]:
    if isinstance(seeds, CaseFilter):
        return and_(true(), *filter_clauses(seeds))
    return cases.c.id.in_(list(seeds))


def merge_chain(seeds: Seeds, actor: Actor) -> CTE:
    """The ids of the cases that the actor's seed cases were merged into, hop by hop, at most
    MAX_HOPS away (a recursive query: one statement however long the chains)."""
    first = select(cases.c.merged_into_id.label("id"), literal(1).label("hop")).where(
        _seed_clause(seeds), cases.c.merged_into_id.is_not(None), scope_clause(actor)
    )
    chain = first.cte("merge_chain", recursive=True)
    onward = (
        select(cases.c.merged_into_id, chain.c.hop + 1)
        .join(chain, cases.c.id == chain.c.id)
        .where(cases.c.merged_into_id.is_not(None), chain.c.hop < MAX_HOPS)
    )
    return chain.union(onward)


def merge_targets(session: Session, actor: Actor, seeds: Seeds) -> list[CaseRecord]:
    """Every case on the seed cases' merge chains, in the actor's scope: one statement."""
    chain = merge_chain(seeds, actor)
    stmt = select(cases).where(cases.c.id.in_(select(chain.c.id)), scope_clause(actor))
    return [record_of(row) for row in session.execute(stmt)]


def cases_by_number(
    session: Session, actor: Actor, numbers: Sequence[str], sources: Sequence[CaseSource] = ()
) -> list[CaseRecord]:
    """The cases of those numbers in the actor's scope (exact matches on the unique number),
    only those of `sources` when given: one statement."""
    wanted = sorted({n for n in numbers if n})
    if not wanted:
        return []
    stmt = select(cases).where(cases.c.number.in_(wanted), scope_clause(actor))
    if sources:
        stmt = stmt.where(cases.c.source.in_([s.value for s in sources]))
    return [record_of(row) for row in session.execute(stmt)]


_BRIEF = (
    cases.c.number.label("case_number"),
    cases.c.reporter_name.label("case_reporter_name"),
    cases.c.merged_into_id.label("case_merged_into_id"),
    cases.c.source.label("case_source"),
)


def _brief(row: RowMapping, case_id: int) -> StepCase:
    return StepCase(
        id=case_id,
        number=row["case_number"] or "",
        reporter_name=row["case_reporter_name"],
        merged_into_id=row["case_merged_into_id"],
        listed=bool(row["case_listed"]),
        source=CaseSource(row["case_source"]),
    )


def _entry(row: RowMapping) -> HistoryEntry:
    return _history_entry(row)  # the one way a history row becomes an entry (queries.py)


def step_window(
    session: Session, actor: Actor, seeds: CaseFilter, start: datetime, end: datetime
) -> StepWindow:
    """Every line written in [start, end] by a case of `seeds` or a case on their merge chains,
    and the merged cases among them with their last merge line: two statements."""
    chain = merge_chain(seeds, actor)
    listed = _seed_clause(seeds)
    on_chain = cases.c.id.in_(select(chain.c.id))
    listed_flag = case((listed, True), else_=False).label("case_listed")
    lines = (
        select(case_history, *_BRIEF, listed_flag)
        .join(cases, cases.c.id == case_history.c.case_id)
        .where(
            case_history.c.at >= start,
            case_history.c.at <= end,
            or_(listed, on_chain),
            scope_clause(actor),
        )
        .order_by(case_history.c.case_id, case_history.c.seq)
    )
    steps = tuple(
        CaseStep(_brief(row, row["case_id"]), _entry(row))
        for row in session.execute(lines).mappings()
    )
    merges = (
        select(cases.c.id.label("merged_case_id"), *_BRIEF, listed_flag, *case_history.c)
        .outerjoin(
            case_history,
            and_(case_history.c.case_id == cases.c.id, case_history.c.action == "merge"),
        )
        .where(cases.c.merged_into_id.is_not(None), or_(listed, on_chain), scope_clause(actor))
        .order_by(cases.c.id, case_history.c.seq)
    )
    last: dict[int, MergedCase] = {}
    for row in session.execute(merges).mappings():
        case_id = row["merged_case_id"]
        merge = _entry(row) if row["id"] is not None else None
        last[case_id] = MergedCase(_brief(row, case_id), merge)  # the last merge line wins
    return StepWindow(steps=steps, merged=tuple(last.values()))
