"""API: generated reports (智能报表): the archive, a file of it, a report built on demand."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from cityops.insight.public import REPORT_MEDIA_TYPES, ArchivedReport, ReportFormat, parse_period
from cityops.web.deps import CurrentActor, PlatformDep

router = APIRouter(prefix="/api/v1", tags=["reports"])


class ReportCreate(BaseModel):
    period: str = Field(
        description="a month (2026-11), an ISO week (2026-W47) or a day (2026-11-23)",
        examples=["2026-11"],
        max_length=16,
    )
    format: ReportFormat = Field(description="xlsx, docx or pdf")


class ReportPublic(BaseModel):
    id: int
    kind: str = Field(description="daily, weekly or monthly")
    period: str
    format: ReportFormat
    title: str
    size: int = Field(description="bytes")
    created_at: datetime
    created_by: str
    file: str = Field(description="where to download it")

    @classmethod
    def of(cls, r: ArchivedReport) -> ReportPublic:
        return cls(
            id=r.id,
            kind=r.kind,
            period=r.period,
            format=ReportFormat(r.format),
            title=r.title,
            size=r.size,
            created_at=r.created_at,
            created_by=r.created_by,
            file=f"/api/v1/reports/{r.id}/file",
        )


@router.get("/reports", response_model=list[ReportPublic], summary="The report archive")
def list_reports(
    platform: PlatformDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[ReportPublic]:
    with platform.read() as session:
        found = platform.reports.archive(session, actor, limit=limit)
    return [ReportPublic.of(r) for r in found]


@router.post(
    "/reports",
    response_model=ReportPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Build a report now and archive it (leaders, administrators)",
)
def create_report(platform: PlatformDep, actor: CurrentActor, body: ReportCreate) -> ReportPublic:
    period = parse_period(body.period)
    with platform.uow() as uow:
        saved = platform.reports.build_and_archive(uow.session, actor, period, body.format)
    return ReportPublic.of(saved)


@router.get(
    "/reports/{report_id}/file",
    response_class=Response,
    summary="Download an archived report",
    responses={200: {"content": {t: {} for t in REPORT_MEDIA_TYPES.values()}}},
)
def report_file(platform: PlatformDep, actor: CurrentActor, report_id: int) -> Response:
    with platform.read() as session:
        found, content = platform.reports.archived_file(session, actor, report_id)
    return Response(
        content,
        media_type=REPORT_MEDIA_TYPES[ReportFormat(found.format)],
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )
