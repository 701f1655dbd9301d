"""Working calendar use cases (platform.worktime): read a year's holidays and adjusted working
days, and let an administrator replace them. A year set here is kept in the database and
replaces the holidays file's for that year; the file stays the default for the others.

The calendar the SLA arithmetic uses (platform.calendar) is one object per process: it takes the
database's years when the platform is built and a change at once in the process that made it;
every other server process takes it within seconds (`refresh`, run by Platform.start_background
in each process)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.orm import Session

from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.worktime import policy, store
from cityops.worktime.calendar import WorkingCalendar, YearRules
from cityops.worktime.model import CalendarSource, CalendarYear, checked_rules, checked_year


class CalendarService:
    def __init__(self, calendar: WorkingCalendar, clock: Clock) -> None:
        self.calendar = calendar
        self.clock = clock
        self._seen: tuple[int, datetime | None] = (0, None)  # store.latest_change when last read
        # the years of the holidays file, before any administrator's change
        self._file_years = {
            year: rules
            for year in calendar.known_years
            if (rules := calendar.year_rules(year)) is not None
        }

    def load(self, session: Session) -> None:
        """Put the years kept in the database into the calendar (at start)."""
        self._seen = store.latest_change(session)
        for year in store.list_years(session):
            self.use(year)

    def refresh(self, session: Session) -> bool:
        """Take the years another server process saved since this one last looked (one small
        query when nothing changed); True when the calendar changed. Each process runs it every
        few seconds (Platform.start_background), so all of them compute deadlines alike."""
        seen = store.latest_change(session)
        if seen == self._seen:
            return False
        self.load(session)
        return True

    def use(self, year: CalendarYear) -> None:
        """Put one year into the calendar the SLA arithmetic uses (after its change committed)."""
        self.calendar.set_year(
            year.year, YearRules(frozenset(year.holidays), frozenset(year.workdays))
        )

    def get_year(self, session: Session, actor: Actor, year: int) -> CalendarYear:
        policy.check_read_calendar(actor)
        checked_year(year)
        kept = store.get_year(session, year)
        if kept is not None:
            return kept
        rules = self._file_years.get(year)
        if rules is None:
            return CalendarYear(year=year, holidays=(), workdays=(), source=CalendarSource.weekends)
        return CalendarYear(
            year=year,
            holidays=tuple(sorted(rules.holidays)),
            workdays=tuple(sorted(rules.workdays)),
            source=CalendarSource.file,
        )

    def set_year(
        self,
        uow: UnitOfWork,
        actor: Actor,
        year: int,
        holidays: Iterable[date],
        workdays: Iterable[date],
    ) -> CalendarYear:
        """Replace a year's holidays and adjusted working days; once committed, the caller hands
        the result to `use` so that deadlines computed from then on follow it (deadlines already
        set stay as they are)."""
        policy.check_set_calendar(actor)
        rules = checked_rules(year, holidays, workdays)
        store.put_year(
            uow.session,
            year,
            holidays=rules.holidays,
            workdays=rules.workdays,
            at=self.clock.now(),
            by=actor.username,
        )
        kept = store.get_year(uow.session, year)
        assert kept is not None
        return kept
