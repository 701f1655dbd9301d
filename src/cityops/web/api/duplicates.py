"""API: similar open cases of one case (重复/关联诉求), ranked for the dispatcher; merging is the
case API's `merge` action."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cityops.appeals.duplicates.public import MAX_LIMIT, MAX_RADIUS_M, MAX_WINDOW_DAYS
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession
from cityops.web.params import RowId

router = APIRouter(prefix="/api/v1", tags=["duplicates"])


class SimilarCasePublic(BaseModel):
    case_id: int
    number: str
    title: str
    status: str
    distance_m: float | None
    text_score: float
    score: float
    reported_at: datetime


@router.get("/cases/{case_id}/similar", response_model=list[SimilarCasePublic])
def similar_cases(
    case_id: RowId,
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    radius_m: Annotated[float, Query(gt=0, le=MAX_RADIUS_M)] = 250,
    window_days: Annotated[int, Query(ge=1, le=MAX_WINDOW_DAYS)] = 30,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 5,
) -> list[SimilarCasePublic]:
    """Open cases within `radius_m` metres reported within ± `window_days` days of this one,
    best first: score = 0.6 × text similarity + 0.25 × nearness + 0.15 × recency."""
    found = platform.duplicates.similar_cases(
        session, actor, case_id, radius_m=radius_m, window_days=window_days, limit=limit
    )
    return [
        SimilarCasePublic(
            case_id=s.case_id,
            number=s.number,
            title=s.title,
            status=s.status,
            distance_m=s.distance_m,
            text_score=s.text_score,
            score=s.score,
            reported_at=s.reported_at,
        )
        for s in found
    ]
