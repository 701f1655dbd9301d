"""API: the 三率 of 接诉即办 (响应率, 解决率, 满意率, composite) from follow-up visits (回访)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from cityops.appeals.followup.public import (
    FORMULAS,
    NAMES,
    FollowupGroupBy,
    ThreeRatesReport,
    ThreeRatesRow,
)
from cityops.web.deps import CurrentActor, PlatformDep

router = APIRouter(prefix="/api/v1", tags=["indicators"])


class ThreeRatesRowPublic(BaseModel):
    group_code: str
    group_name: str
    counts: dict[str, int]
    rates: dict[str, float | None] = Field(
        description="Fractions rounded to 4 decimals; null when the denominator is 0"
    )

    @classmethod
    def of(cls, row: ThreeRatesRow) -> ThreeRatesRowPublic:
        return cls(
            group_code=row.group_code,
            group_name=row.group_name,
            counts=dict(row.counts),
            rates=dict(row.rates),
        )


class ThreeRatesPublic(BaseModel):
    month: str = Field(description="YYYY-MM, Asia/Shanghai")
    group_by: FollowupGroupBy
    rows: list[ThreeRatesRowPublic]
    total: ThreeRatesRowPublic
    basic_weight: float = Field(description="w in 满意率 = (满意 + w × 基本满意)/评价数")
    weights: dict[str, float] = Field(description="weights of the composite")
    composite_response_rate: str = Field(
        description="which rate feeds the composite as 响应率 (the contact rate)"
    )
    formulas: dict[str, str]
    names: dict[str, str]

    @classmethod
    def of(cls, report: ThreeRatesReport) -> ThreeRatesPublic:
        a, b, c = report.weights
        return cls(
            month=report.month,
            group_by=report.group_by,
            rows=[ThreeRatesRowPublic.of(r) for r in report.rows],
            total=ThreeRatesRowPublic.of(report.total),
            basic_weight=report.basic_weight,
            weights={"response_rate": a, "resolution_rate": b, "satisfaction_rate": c},
            composite_response_rate="response_rate",
            formulas=dict(FORMULAS),
            names=dict(NAMES),
        )


@router.get(
    "/indicators/three-rates",
    response_model=ThreeRatesPublic,
    summary="三率 (接诉即办): 响应率 解决率 满意率 and the composite, per department or street",
)
def three_rates(
    platform: PlatformDep,
    actor: CurrentActor,
    group_by: FollowupGroupBy = FollowupGroupBy.department,
    month: Annotated[
        str | None, Query(description="YYYY-MM, Asia/Shanghai (default: this month)")
    ] = None,
) -> ThreeRatesPublic:
    with platform.read() as session:
        report = platform.followup.three_rates(session, actor, group_by, month)
    return ThreeRatesPublic.of(report)
