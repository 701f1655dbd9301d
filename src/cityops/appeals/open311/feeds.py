"""The Open311 feeds built from reads over many cases at once (no database here): the updates of
servicerequestupdates from a window of history lines (cases.public.StepWindow), and the case a
merged request shares its outcome with. Both follow a chain of merges (合并办理) the way
appeals.merging.follow_merges does for one case, over what was read for all of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cityops.appeals.open311.model import MAX_RESULTS, RequestUpdate, update_from_history
from cityops.cases.public import MERGE_HOPS, CaseView, HistoryEntry, StepCase, StepWindow


def merge_target(case: CaseView, targets: Mapping[int, CaseView]) -> CaseView | None:
    """The case whose outcome a merged case shares (the last of its chain), from the chains'
    cases read at once (CaseService.merge_targets); None for a case not merged, or whose first
    target is not among `targets`."""
    found: CaseView | None = None
    seen = {case.id}
    current = case
    hops = 0
    while current.merged_into_id is not None and current.merged_into_id not in seen:
        if hops >= MERGE_HOPS:
            break
        target = targets.get(current.merged_into_id)
        if target is None:
            break
        found, current, hops = target, target, hops + 1
        seen.add(target.id)
    return found


@dataclass(frozen=True)
class _Hop:
    case: StepCase
    lines: tuple[HistoryEntry, ...]  # its lines in the window after the merge that led to it


def _order(entry: HistoryEntry) -> tuple[datetime, int]:
    # history ids grow with every line written, so they order lines written at the same instant
    return entry.at, entry.id


def _hops(
    origin: StepCase,
    cases: Mapping[int, StepCase],
    merges: Mapping[int, HistoryEntry | None],
    lines: Mapping[int, list[HistoryEntry]],
) -> list[_Hop]:
    """The cases `origin` was merged into, hop by hop, each with its lines after the merge."""
    hops: list[_Hop] = []
    seen = {origin.id}
    current = origin
    while current.merged_into_id is not None and current.merged_into_id not in seen:
        if len(hops) >= MERGE_HOPS:
            break
        merge = merges.get(current.id)
        target = cases.get(current.merged_into_id)
        if target is None:  # out of reach, or not merged and silent in the window: nothing more
            break
        after = tuple(
            e for e in lines.get(target.id, ()) if merge is None or _order(e) > _order(merge)
        )
        hops.append(_Hop(target, after))
        seen.add(target.id)
        current = target
    return hops


def request_updates(window: StepWindow) -> list[RequestUpdate]:
    """Every public step of the listed cases in the window, and the steps of the cases each was
    merged into after the merge (numbered and named through them), oldest first, at most
    MAX_RESULTS. A step's note is masked with the reporter's name (and, for a merged case's
    step, the name of the reporter of the case it was merged into); its photo is shown only as
    the listed case's publication policy says (publication.py)."""
    cases: dict[int, StepCase] = {}
    lines: dict[int, list[HistoryEntry]] = {}
    for step in window.steps:
        cases[step.case.id] = step.case
        lines.setdefault(step.case.id, []).append(step.entry)
    merges: dict[int, HistoryEntry | None] = {}
    for merged in window.merged:
        cases[merged.case.id] = merged.case
        merges[merged.case.id] = merged.merge
    updates: list[tuple[datetime, RequestUpdate]] = []
    for case in cases.values():
        if not case.listed:
            continue
        mine = (case.reporter_name,)
        published: list[tuple[HistoryEntry, str | None, tuple[str | None, ...]]] = [
            (e, None, mine) for e in lines.get(case.id, ())
        ]
        for hop in _hops(case, cases, merges, lines):
            theirs = (*mine, hop.case.reporter_name)
            published += [(e, hop.case.number, theirs) for e in hop.lines]
        for entry, via, names in published:
            update = update_from_history(
                case.number, entry, via=via, names=names, source=case.source
            )
            if update is not None:
                updates.append((entry.at, update))
    updates.sort(key=lambda pair: (pair[0], pair[1].update_id))
    return [u for _at, u in updates[:MAX_RESULTS]]
