"""API: performance evaluation (综合评价 / 绩效考核) of streets, departments and posts —
scores in the ranking or the trend view, the cases behind a number, the Excel workbook.
docs/insight/evaluation.md."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from cityops.insight.public import (
    SUBJECT_KIND_NAMES,
    DrillDown,
    EvaluationView,
    KindReport,
    SubjectKind,
    SubjectScore,
)
from cityops.web.deps import CurrentActor, PlatformDep

router = APIRouter(prefix="/api/v1", tags=["evaluation"])

PERIOD = Query(description="2026-11 (a month) or 2026-W45 (an ISO week); default this month")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ComponentSpecPublic(BaseModel):
    key: str
    name: str
    numerator: str
    denominator: str | None = Field(description="null for a volume (scored against the best)")
    better: str = Field(description="higher | lower | volume")
    weight: float


class ComponentPublic(BaseModel):
    key: str
    value: float | None = Field(description="the rate (a fraction), or the volume; null: none")
    score: float | None = Field(description="0–100; null: left out, its weight shared")
    weight: float


class ScorePublic(BaseModel):
    code: str
    name: str
    rank: int | None
    score: float | None = Field(description="null: not rated (below the minimum volume)")
    grade: str | None
    rated: bool
    volume: int
    counts: dict[str, int]
    components: list[ComponentPublic]

    @classmethod
    def of(cls, row: SubjectScore) -> ScorePublic:
        s = row.scored
        return cls(
            code=row.code,
            name=row.name,
            rank=row.rank,
            score=s.score,
            grade=s.grade,
            rated=s.rated,
            volume=s.volume,
            counts=dict(row.counts),
            components=[
                ComponentPublic(key=p.key, value=p.value, score=p.score, weight=p.weight)
                for p in s.components
            ],
        )


class TrendLinePublic(BaseModel):
    code: str
    name: str
    scores: list[float | None]
    grades: list[str | None]


class EvaluationPublic(BaseModel):
    subject: SubjectKind
    subject_name: str
    view: EvaluationView
    period: str
    periods: list[str]
    components: list[ComponentSpecPublic]
    rows: list[ScorePublic] = Field(description="the period's subjects: by rank, or by code")
    head: list[ScorePublic] = Field(description="ranking view: the best")
    tail: list[ScorePublic] = Field(description="ranking view: the worst, worst first")
    trend: list[TrendLinePublic] = Field(description="trend view: a score per period")
    min_volume: int
    grades: dict[str, float]

    @classmethod
    def of(cls, report: KindReport) -> EvaluationPublic:
        score = ScorePublic.of
        return cls(
            subject=report.kind,
            subject_name=SUBJECT_KIND_NAMES[report.kind],
            view=report.view,
            period=report.period.label,
            periods=[p.label for p in report.periods],
            components=[
                ComponentSpecPublic(
                    key=c.key,
                    name=c.name,
                    numerator=c.numerator,
                    denominator=c.denominator,
                    better=c.better.value,
                    weight=report.weights[c.key],
                )
                for c in report.components
            ],
            rows=[score(r) for r in report.rows],
            head=[score(r) for r in report.head],
            tail=[score(r) for r in report.tail],
            trend=[
                TrendLinePublic(
                    code=t.code, name=t.name, scores=list(t.scores), grades=list(t.grades)
                )
                for t in report.trend
            ],
            min_volume=report.min_volume,
            grades=dict(report.grades),
        )


class DrillCasePublic(BaseModel):
    id: int
    number: str | None
    title: str
    status: str


class DrillDownPublic(BaseModel):
    subject: SubjectKind
    code: str
    count: str
    period: str
    total: int
    cases: list[DrillCasePublic]

    @classmethod
    def of(cls, drill: DrillDown) -> DrillDownPublic:
        return cls(
            subject=drill.kind,
            code=drill.code,
            count=drill.count,
            period=drill.period.label,
            total=len(drill.cases),
            cases=[
                DrillCasePublic(id=c.id, number=c.number, title=c.title, status=c.status)
                for c in drill.cases
            ],
        )


@router.get(
    "/evaluation/scores",
    response_model=EvaluationPublic,
    summary="Scores and grades A–E of streets, departments or posts (ranking or trend view)",
)
def evaluation_scores(
    platform: PlatformDep,
    actor: CurrentActor,
    subject: SubjectKind = SubjectKind.street,
    period: Annotated[str | None, PERIOD] = None,
    view: Annotated[EvaluationView | None, Query(description="default: the setting")] = None,
) -> EvaluationPublic:
    with platform.read() as session:
        report = platform.evaluation.scores(session, actor, subject, period, view)
    return EvaluationPublic.of(report)


@router.get(
    "/evaluation/cases",
    response_model=DrillDownPublic,
    summary="The cases behind one count of one subject in one period",
)
def evaluation_cases(
    platform: PlatformDep,
    actor: CurrentActor,
    subject: SubjectKind,
    code: Annotated[str, Query(max_length=40, description="street/department code or user id")],
    count: Annotated[str, Query(max_length=40, description="a count name, e.g. closed")],
    period: Annotated[str | None, PERIOD] = None,
) -> DrillDownPublic:
    with platform.read() as session:
        drill = platform.evaluation.drill_down(session, actor, subject, code, count, period)
    return DrillDownPublic.of(drill)


@router.get(
    "/evaluation/export",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
    summary="The evaluation as an Excel workbook: a sheet per subject kind",
)
def evaluation_export(
    platform: PlatformDep,
    actor: CurrentActor,
    period: Annotated[str | None, PERIOD] = None,
) -> Response:
    with platform.read() as session:
        body = platform.evaluation.export(session, actor, period)
    name = "evaluation-" + (re.sub(r"[^0-9W-]", "", period or "") or "current") + ".xlsx"
    return Response(
        content=body,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
