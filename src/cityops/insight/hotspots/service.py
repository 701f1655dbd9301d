"""Use case: the hot issues (热点诉求) among the citizens' appeals the actor may see.

The appeals of the window come from the case engine (`cases.public.appeal_texts`: masked
texts, a keyed digest of the caller's phone for repeat callers) and go through the same
analysis as `cityops insight hotspots` (grouping, heat index, emerging rule: analysis.py).
An analysis of a few thousand appeals takes seconds of CPU, so an answer is kept for
`ttl` seconds per (scope, window, area); a newer appeal shows in the next one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from cityops.insight.hotspots.analysis import find_hotspots
from cityops.insight.hotspots.model import HotspotReport, HotspotSettings, Message
from cityops.insight.policy import may_view_hot_issues
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.kernel.errors import ValidationFailed

MAX_DAYS = 366


class AppealRow(Protocol):
    """One appeal as cases.public.AppealText carries it."""

    @property
    def case_id(self) -> int: ...
    @property
    def number(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def reported_at(self) -> datetime: ...
    @property
    def street_code(self) -> str | None: ...
    @property
    def sender_key(self) -> str | None: ...


AppealReader = Callable[[Session, Actor, datetime, datetime, str | None], Sequence[AppealRow]]


@dataclass(frozen=True)
class HotIssueAnswer:
    report: HotspotReport
    since: datetime
    until: datetime
    numbers: dict[str, str | None]  # message id (the case id) → case number
    computed_at: datetime


class HotIssueService:
    def __init__(
        self,
        appeals: AppealReader,
        clock: Clock,
        *,
        settings: HotspotSettings | None = None,
        ttl: float = 120.0,
    ) -> None:
        self._appeals = appeals
        self._clock = clock
        self._settings = settings or HotspotSettings()
        self._ttl = ttl
        self._cache: dict[tuple[object, ...], tuple[float, HotIssueAnswer]] = {}
        self._lock = threading.Lock()

    def hot_issues(
        self,
        session: Session,
        actor: Actor,
        *,
        days: int = 30,
        area: str | None = None,
        top: int = 20,
        min_count: int = 2,
    ) -> HotIssueAnswer:
        """The hottest groups of appeals reported in the last `days` days (in `area`)."""
        may_view_hot_issues(actor)
        if not 1 <= days <= MAX_DAYS:
            raise ValidationFailed(f"days is 1 to {MAX_DAYS}", code="bad_hot_issue_window")
        key = (tuple(sorted(actor.roles)), actor.area_codes, actor.department_code, days, area)
        now = time.monotonic()
        with self._lock:
            held = self._cache.get(key)
        if held is not None and now - held[0] < self._ttl:
            return _top(held[1], top, min_count)
        until = self._clock.now()
        since = until - timedelta(days=days)
        rows = self._appeals(session, actor, since, until, area)
        messages = [
            Message(
                message_id=str(row.case_id),
                subject=row.title,
                body=row.description,
                posted_at=row.reported_at,
                sender=row.sender_key,
                area_code=row.street_code,
            )
            for row in rows
        ]
        report = find_hotspots(messages, self._settings, now=until, min_count=1)
        answer = HotIssueAnswer(
            report=report,
            since=since,
            until=until,
            numbers={str(row.case_id): row.number for row in rows},
            computed_at=until,
        )
        with self._lock:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = (now, answer)
        return _top(answer, top, min_count)


def _top(answer: HotIssueAnswer, top: int, min_count: int) -> HotIssueAnswer:
    issues = tuple(i for i in answer.report.issues if i.count >= min_count)[:top]
    report = HotspotReport(
        now=answer.report.now,
        messages=answer.report.messages,
        groups=answer.report.groups,
        issues=issues,
        settings=answer.report.settings,
    )
    return HotIssueAnswer(report, answer.since, answer.until, answer.numbers, answer.computed_at)
