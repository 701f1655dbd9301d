"""The vocabulary of the evaluation counts (see evaluation_counts.py): the subject kinds, the
counts of each, the records the reads return."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from cityops.cases.model import Satisfaction
from cityops.kernel.errors import ValidationFailed

Window = tuple[datetime, datetime]  # [start, end) as aware UTC instants
CASE_KINDS = ("street", "department")
POST_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "operator": ("register", "reject", "answer"),  # 受理: 立案, 不予立案, 直接办结
    "dispatcher": ("dispatch",),
    "inspector": ("verify",),  # and the cases they reported (上报)
    "shift_leader": ("approve_extension", "deny_extension"),
    "handler": ("finish",),
}
KINDS = (*CASE_KINDS, *POST_ACTIONS)
CASE_COUNTS = (
    "reported",
    "registered",
    "dispatched",
    "due_to_handle",
    "handled_on_time",
    "due_to_close",
    "closed",
    "reworked",
    "extended",
    "returned",
    "evaluated",
    "satisfied",
)
POST_COUNTS: Mapping[str, tuple[str, ...]] = {
    "operator": ("accepted", "accepted_on_time", "visit_due", "visited"),
    "dispatcher": ("dispatched", "dispatched_accurately", "dispatched_on_time"),
    "inspector": ("reports", "reports_valid", "verified", "verified_on_time"),
    "shift_leader": ("decided", "decided_in_time"),
    "handler": (
        "finished",
        "finished_on_time",
        "finished_reworked",
        "finished_evaluated",
        "finished_satisfied",
    ),
}
SATISFIED = (Satisfaction.satisfied.value, Satisfaction.basically_satisfied.value)


@dataclass(frozen=True)
class SubjectCounts:
    """One subject's counts in one period (`period`: the index into the windows asked for)."""

    kind: str
    code: str  # street code, department code, or the user id as text
    name: str
    period: int
    counts: Mapping[str, int]


@dataclass(frozen=True)
class CaseRef:
    """A case behind a count (drill-down)."""

    id: int
    number: str | None
    title: str
    status: str


def counts_of_kind(kind: str) -> tuple[str, ...]:
    check_kind(kind)
    return CASE_COUNTS if kind in CASE_KINDS else POST_COUNTS[kind]


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationFailed(
            f"subject must be one of {', '.join(KINDS)}, not {kind!r}", code="invalid_subject"
        )


def check_windows(windows: Sequence[Window]) -> None:
    if not windows or any(lo >= hi for lo, hi in windows):
        raise ValidationFailed("at least one non-empty period", code="invalid_period")
    if any(a[1] > b[0] for a, b in itertools.pairwise(windows)):
        raise ValidationFailed("periods must be in order and not overlap", code="invalid_period")
