"""API: the working calendar (工作日历) — a year's public holidays and adjusted working days.

Every staff member may read a year (deadlines depend on it); an administrator may replace it.
A year set here is kept in the database and replaces the holidays file's for that year."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from cityops.web.deps import CurrentActor, PlatformDep, ReadSession
from cityops.worktime.public import FIRST_YEAR, LAST_YEAR, CalendarSource, CalendarYear

router = APIRouter(prefix="/api/v1", tags=["calendar"])

Year = Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR, examples=[2027])]


class CalendarYearUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holidays: list[date] = Field(
        max_length=366, description="public holidays (放假), days off even on a weekday"
    )
    workdays: list[date] = Field(
        max_length=366,
        description="adjusted working days (调休上班): a Saturday or Sunday that is worked",
    )


class CalendarYearPublic(BaseModel):
    year: int
    holidays: list[date]
    workdays: list[date]
    source: CalendarSource = Field(
        description="database: set by an administrator; file: the holidays file; "
        "weekends: neither, weekends only"
    )
    updated_at: datetime | None
    updated_by: str | None

    @classmethod
    def of(cls, y: CalendarYear) -> CalendarYearPublic:
        return cls(
            year=y.year,
            holidays=list(y.holidays),
            workdays=list(y.workdays),
            source=y.source,
            updated_at=y.updated_at,
            updated_by=y.updated_by,
        )


@router.get("/calendar/{year}", response_model=CalendarYearPublic)
def read_calendar_year(
    year: Year, platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> CalendarYearPublic:
    return CalendarYearPublic.of(platform.worktime.get_year(session, actor, year))


@router.put("/calendar/{year}", response_model=CalendarYearPublic)
def put_calendar_year(
    year: Year, body: CalendarYearUpdate, platform: PlatformDep, actor: CurrentActor
) -> CalendarYearPublic:
    """Replace the year's holidays and adjusted working days (administrators). Deadlines set
    from now on follow them; those already set stay."""
    with platform.uow() as uow:
        saved = platform.worktime.set_year(uow, actor, year, body.holidays, body.workdays)
    platform.worktime.use(saved)
    return CalendarYearPublic.of(saved)
