"""Use cases of the generated reports: build a period's report from the case engine's counts
(cases.public: grouped reads, each one statement), render it, archive it and read the archive."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from cityops.cases.public import (
    REPORT_CASE_LISTS,
    counts_by_day,
    counts_by_source,
    counts_by_top_category,
    counts_by_unit,
    listed_cases,
)
from cityops.infra.outbox import UnitOfWork
from cityops.insight.reports import store
from cityops.insight.reports.model import PeriodCounts, Report, build_report
from cityops.insight.reports.period import PeriodKind, ReportPeriod, last_complete
from cityops.insight.reports.policy import may_build_reports, may_read_reports
from cityops.insight.reports.render import FORMATS, ReportFormat, render
from cityops.insight.service import window_bounds
from cityops.kernel.actor import SYSTEM, Actor
from cityops.kernel.clock import Clock, to_local
from cityops.kernel.errors import DomainError, NotFound, ValidationFailed

HOT_ISSUES_NOTE = (
    "热点诉求分析暂未接入报表：热点引擎（insight.hotspots）尚未从数据库读取本期诉求，本节暂不可用。"
)
TREND_DAYS_OF_DAILY = 7  # a daily report's trend shows the week ending on its day


@dataclass(frozen=True)
class ReportOptions:
    scope_name: str = "本市"  # 某市: the name in the report's title
    template: Path | None = None  # a .docx replacing the shipped template
    cjk_font: str | None = None  # a font file with Chinese glyphs for charts
    chromium: str = "/usr/bin/chromium"  # renders the PDF


class ReportService:
    def __init__(
        self,
        clock: Clock,
        category_names: Callable[[Session], Mapping[str, str]],
        options: ReportOptions | None = None,
    ) -> None:
        self._clock = clock
        self._category_names = category_names
        self.options = options or ReportOptions()

    def build(self, session: Session, actor: Actor, period: ReportPeriod) -> Report:
        """The report of `period` over the cases in the actor's scope."""
        may_read_reports(actor)
        now = self._clock.now()
        if period.start > to_local(now).date():
            raise ValidationFailed(
                f"the period {period.label} has not begun", code="report_period_future"
            )
        current = self._counts(session, actor, period, now)
        previous = self._counts(session, actor, period.previous(), now)
        year_before = self._counts(session, actor, period.year_before(), now)
        if period.kind is PeriodKind.daily:
            first = period.start - timedelta(days=TREND_DAYS_OF_DAILY - 1)
            trend_days = [first + timedelta(days=i) for i in range(TREND_DAYS_OF_DAILY)]
            lo, hi = window_bounds(first, period.end)
            trend: Mapping[date, int] = counts_by_day(session, actor, lo, hi)
        else:
            trend_days, trend = period.days, current.by_day
        lo, hi = window_bounds(period.start, period.end)
        lists = [
            (which, *listed_cases(session, actor, which=which, start=lo, end=hi))
            for which in REPORT_CASE_LISTS
        ]
        return build_report(
            period=period,
            generated_at=now,
            scope_name=self.options.scope_name,
            current=current,
            previous=previous,
            year_before=year_before,
            trend=trend,
            trend_days=trend_days,
            category_names=self._category_names(session),
            lists=lists,
            hot_issues_note=HOT_ISSUES_NOTE,
        )

    def _counts(
        self, session: Session, actor: Actor, period: ReportPeriod, now: datetime
    ) -> PeriodCounts:
        lo, hi = window_bounds(period.start, period.end)
        return PeriodCounts(
            by_source=counts_by_source(session, actor, lo, hi),
            by_category=counts_by_top_category(session, actor, lo, hi),
            by_day=counts_by_day(session, actor, lo, hi),
            departments=counts_by_unit(
                session, actor, group_by="department", start=lo, end=hi, due_by=now
            ),
            streets=counts_by_unit(session, actor, group_by="area", start=lo, end=hi, due_by=now),
        )

    def render(self, report: Report, fmt: ReportFormat | str) -> bytes:
        """The report as .xlsx, .docx or .pdf bytes."""
        return render(report, checked_format(fmt), self.options)

    # ---- the archive ------------------------------------------------------------------------

    def build_and_archive(
        self, session: Session, actor: Actor, period: ReportPeriod, fmt: ReportFormat | str
    ) -> store.ArchivedReport:
        """Build, render and keep one file (admins and leaders); the caller commits."""
        may_build_reports(actor)
        kind = checked_format(fmt)
        report = self.build(session, actor, period)
        content = self.render(report, kind)
        return store.insert_report(
            session,
            period=period,
            fmt=kind.value,
            title=report.title,
            content=content,
            created_at=self._clock.now(),
            created_by=actor.username or "system",
        )

    def archive(
        self, session: Session, actor: Actor, *, limit: int = 200
    ) -> list[store.ArchivedReport]:
        may_read_reports(actor)
        return store.listing(session, limit=limit)

    def archived_file(
        self, session: Session, actor: Actor, report_id: int
    ) -> tuple[store.ArchivedReport, bytes]:
        may_read_reports(actor)
        found = store.file(session, report_id)
        if found is None:
            raise NotFound(
                f"report {report_id} not found", code="report_not_found", report_id=report_id
            )
        return found

    def run_schedule(self, uows: Callable[[], AbstractContextManager[UnitOfWork]]) -> int:
        """Scheduler job: yesterday's daily, last week's weekly and last month's monthly report
        in each format, each built and archived in a transaction of its own unless the archive
        holds it already. One that fails (no Chromium for the PDF) does not stop the others; the
        first failure is raised once all were tried, for the scheduler to report. Returns how
        many files were archived."""
        today = to_local(self._clock.now()).date()
        made, failed = 0, None
        for kind in PeriodKind:
            period = last_complete(kind, today)
            for fmt in FORMATS:
                try:
                    with uows() as uow:
                        if store.exists(uow.session, period.label, fmt.value):
                            continue
                        self.build_and_archive(uow.session, SYSTEM, period, fmt)
                        made += 1
                except DomainError as exc:
                    failed = failed or exc
        if failed is not None:
            raise failed
        return made


def checked_format(fmt: ReportFormat | str) -> ReportFormat:
    try:
        return ReportFormat(fmt)
    except ValueError:
        raise ValidationFailed(
            f"a report format is one of {', '.join(FORMATS)}, not {fmt!r}",
            code="bad_report_format",
        ) from None
