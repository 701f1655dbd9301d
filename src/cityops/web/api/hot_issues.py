"""API: hot issues (热点诉求) — the groups of citizens' appeals many are raising now, ranked by
the heat index (docs/insight/hotspots.md), over the appeals in the reader's scope."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from cityops.insight.public import HotIssue, HotIssueAnswer
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession

router = APIRouter(prefix="/api/v1", tags=["insight"])


class HotIssueCase(BaseModel):
    case_id: int
    number: str | None
    title: str = Field(description="masked as staff read it")
    reported_at: datetime


class HotIssuePublic(BaseModel):
    rank: int
    heat: float
    title: str
    keywords: list[str]
    place: str | None
    first_at: datetime
    last_at: datetime
    count: int
    callers: int = Field(description="distinct callers (by a digest of the phone)")
    growth: float
    emerging: bool
    recent: int = Field(description="appeals in the last 7 days")
    baseline: int = Field(description="appeals in the 28 days before")
    representatives: list[HotIssueCase]
    case_ids: list[int]

    @classmethod
    def of(cls, issue: HotIssue, numbers: dict[str, str | None]) -> HotIssuePublic:
        return cls(
            rank=issue.rank,
            heat=round(issue.heat, 1),
            title=issue.title,
            keywords=list(issue.keywords),
            place=issue.place,
            first_at=issue.first_at,
            last_at=issue.last_at,
            count=issue.count,
            callers=issue.senders,
            growth=round(issue.growth, 3),
            emerging=issue.emerging,
            recent=issue.parts.recent,
            baseline=issue.parts.baseline,
            representatives=[
                HotIssueCase(
                    case_id=int(m.message_id),
                    number=numbers.get(m.message_id),
                    title=m.subject,
                    reported_at=m.posted_at,
                )
                for m in issue.representatives
            ],
            case_ids=[int(i) for i in issue.member_ids],
        )


class HotIssuePage(BaseModel):
    since: datetime
    until: datetime
    appeals: int = Field(description="appeals analysed")
    groups: int
    issues: list[HotIssuePublic]

    @classmethod
    def of(cls, answer: HotIssueAnswer) -> HotIssuePage:
        return cls(
            since=answer.since,
            until=answer.until,
            appeals=answer.report.messages,
            groups=answer.report.groups,
            issues=[HotIssuePublic.of(i, answer.numbers) for i in answer.report.issues],
        )


@router.get("/insight/hot-issues", response_model=HotIssuePage)
def hot_issues(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    days: Annotated[int, Query(ge=1, le=366, description="the window, ending now")] = 30,
    area: Annotated[str | None, Query(max_length=40, description="an area code (prefix)")] = None,
    top: Annotated[int, Query(ge=1, le=100)] = 20,
    min_count: Annotated[int, Query(ge=1, le=1000, description="appeals a group needs")] = 2,
) -> HotIssuePage:
    """The hottest groups of appeals of the last `days` days: title, place, span, how many and
    how fast they grow (emerging), representative appeals and the cases behind each."""
    answer = platform.hot_issues.hot_issues(
        session, actor, days=days, area=area, top=top, min_count=min_count
    )
    return HotIssuePage.of(answer)
