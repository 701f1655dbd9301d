"""A merged appeal's shared outcome (合并办理): when case X was merged into case Y (and Y perhaps
into Z), X's reporter follows Y's (and Z's) later steps. `follow_merges` walks that chain for the
public reads of the citizen channel (portal tracking, Open311 requests and updates)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cityops.cases.public import CaseService, CaseView, HistoryEntry
from cityops.kernel.actor import Actor
from cityops.kernel.errors import NotFound

MAX_HOPS = 8  # a chain of merges longer than this is cut (it never loops: cases seen are skipped)


@dataclass(frozen=True)
class MergeHop:
    """A case the appeal was merged into, with its history lines after that merge."""

    case: CaseView
    steps_after: tuple[HistoryEntry, ...]


@dataclass(frozen=True)
class MergedInto:
    hops: tuple[MergeHop, ...]

    @property
    def target(self) -> CaseView:
        """The case whose outcome is the appeal's outcome (the last of the chain)."""
        return self.hops[-1].case

    def steps(self) -> tuple[HistoryEntry, ...]:
        """Every target's lines after the appeal reached it, in order."""
        return tuple(e for hop in self.hops for e in hop.steps_after)


def _order(entry: HistoryEntry) -> tuple[datetime, int]:
    # history ids grow with every line written, so they order lines written at the same instant
    return entry.at, entry.id


def follow_merges(
    cases: CaseService,
    session: Session,
    actor: Actor,
    case: CaseView,
    history: Sequence[HistoryEntry],
) -> MergedInto | None:
    """The chain of cases `case` was merged into (None when it was not merged). `history` is
    the case's own history; `actor` must be able to read the targets."""
    hops: list[MergeHop] = []
    seen = {case.id}
    current, lines = case, list(history)
    while current.merged_into_id is not None and current.merged_into_id not in seen:
        if len(hops) >= MAX_HOPS:
            break
        merge = next((e for e in reversed(lines) if e.action == "merge"), None)
        try:
            target = cases.get_case(session, actor, current.merged_into_id)
        except NotFound:
            break
        target_lines = cases.history(session, actor, target.id)
        after = [e for e in target_lines if merge is None or _order(e) > _order(merge)]
        hops.append(MergeHop(target, tuple(after)))
        seen.add(target.id)
        current, lines = target, target_lines
    return MergedInto(tuple(hops)) if hops else None
