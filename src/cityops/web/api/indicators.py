"""API: case performance indicators (数字城管 evaluation)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from cityops.insight.public import (
    COUNT_NAMES_ZH,
    INDICATORS,
    GroupBy,
    IndicatorReport,
    IndicatorRow,
)
from cityops.web.deps import CurrentActor, PlatformDep
from cityops.web.params import Day

router = APIRouter(prefix="/api/v1", tags=["indicators"])


class IndicatorRowPublic(BaseModel):
    group_code: str
    group_name: str
    counts: dict[str, int]
    rates: dict[str, float | None] = Field(
        description="Fractions rounded to 4 decimals; null when the denominator is 0"
    )

    @classmethod
    def of(cls, row: IndicatorRow) -> IndicatorRowPublic:
        return cls(
            group_code=row.group_code,
            group_name=row.group_name,
            counts=dict(row.counts),
            rates=dict(row.rates),
        )


class CaseIndicatorsPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from", description="First day (Asia/Shanghai)")
    to: date = Field(description="Last day, inclusive (Asia/Shanghai)")
    group_by: GroupBy
    rows: list[IndicatorRowPublic]
    total: IndicatorRowPublic
    formulas: dict[str, str] = Field(description='e.g. {"registration_rate": "立案数/受理数"}')
    names: dict[str, str] = Field(description="Chinese names of the rates and counts")

    @classmethod
    def of(cls, report: IndicatorReport) -> CaseIndicatorsPublic:
        names = {i.key: i.name for i in INDICATORS} | dict(COUNT_NAMES_ZH)
        return cls(
            from_=report.start,
            to=report.end,
            group_by=report.group_by,
            rows=[IndicatorRowPublic.of(r) for r in report.rows],
            total=IndicatorRowPublic.of(report.total),
            formulas=dict(report.formulas),
            names=names,
        )


@router.get(
    "/indicators/cases",
    response_model=CaseIndicatorsPublic,
    response_model_by_alias=True,
    summary="Case indicators: 立案率 派遣率 准确派遣率 按期处置率 结案率 按期结案率 返工率 延期率",
)
def case_indicators(
    platform: PlatformDep,
    actor: CurrentActor,
    group_by: GroupBy = GroupBy.department,
    from_: Annotated[
        Day | None, Query(alias="from", description="YYYY-MM-DD, Asia/Shanghai")
    ] = None,
    to: Annotated[Day | None, Query(description="YYYY-MM-DD, inclusive")] = None,
) -> CaseIndicatorsPublic:
    with platform.read() as session:
        report = platform.insight.case_indicators(session, actor, group_by, from_, to)
    return CaseIndicatorsPublic.of(report)
