"""API: smart routing (智能分拨) — the router's decision on a case for the dispatcher, and
suggestions for a text being taken in."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from cityops.appeals.routing.public import RouteSuggestion, RoutingCorrection, RoutingDecision
from cityops.geo.public import CoordSystem
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession
from cityops.web.params import RowId

router = APIRouter(prefix="/api/v1", tags=["routing"])


class TopWord(BaseModel):
    word: str
    weight: float = Field(description="tf-idf × the label's weight: how hard it pushes")


class PlaceNotePublic(BaseModel):
    ring: str = Field(description="grid | community | street: the smallest area counted")
    days: int
    count: int = Field(description="cases of the category there in the last `days` days")
    lift: float = Field(description="how much the place raised the category's odds")


class RouteSuggestionPublic(BaseModel):
    label: str = Field(description="the model's first-level label (一级标签) behind it")
    probability: float = Field(description="of the category; the suggestions sum to at most 1")
    category_code: str = Field(description="a leaf category (细类), or only its group: see leaf")
    category_name: str
    department_code: str | None = Field(description="the unit the responsibility list names")
    department_name: str | None
    top_words: list[TopWord] = Field(description="the model's words for the label (evidence)")
    leaf: bool = Field(True, description="false: the text names no leaf of the group")
    label_probability: float | None = Field(None, description="the board label's, calibrated")
    keywords: list[str] = Field(
        default_factory=list, description="the list's words for the category found in the text"
    )
    text_probability: float | None = Field(
        None, description="from the text alone, before the place weighed it"
    )
    place: PlaceNotePublic | None = Field(
        None, description="the recent cases nearby that raised the category (本社区近30天同类 n 件)"
    )

    @classmethod
    def of(cls, s: RouteSuggestion) -> RouteSuggestionPublic:
        return cls(
            label=s.label,
            probability=round(s.probability, 4),
            category_code=s.category_code,
            category_name=s.category_name,
            department_code=s.department_code,
            department_name=s.department_name,
            top_words=[TopWord(word=w, weight=weight) for w, weight in s.top_words],
            leaf=s.leaf,
            label_probability=s.label_probability,
            keywords=list(s.keywords),
            text_probability=s.text_probability,
            place=(
                PlaceNotePublic(
                    ring=s.place.ring.value,
                    days=s.place.days,
                    count=s.place.count,
                    lift=s.place.lift,
                )
                if s.place is not None
                else None
            ),
        )


class RoutingDecisionPublic(BaseModel):
    outcome: str = Field(description="auto_dispatched | queued | skipped")
    reason: str
    model_version: str
    confidence: float = Field(description="the top suggestion's probability")
    threshold: float = Field(description="the automatic-dispatch confidence in force")
    category_code: str | None
    department_code: str | None = Field(description="where the router sent it or would send it")
    department_name: str | None
    suggestions: list[RouteSuggestionPublic]
    decided_at: datetime
    correlation_id: str | None = Field(
        None, description="the request (X-Request-ID) the appeal came in with"
    )
    causation_id: str | None = Field(None, description="the CaseReported event decided on")

    @classmethod
    def of(cls, d: RoutingDecision) -> RoutingDecisionPublic:
        return cls(
            outcome=d.outcome.value,
            reason=str(d.reason),
            model_version=d.model_version,
            confidence=round(d.confidence, 4),
            threshold=d.threshold,
            category_code=d.category_code,
            department_code=d.department_code,
            department_name=d.department_name,
            suggestions=[RouteSuggestionPublic.of(s) for s in d.suggestions],
            decided_at=d.decided_at,
            correlation_id=d.correlation_id,
            causation_id=d.causation_id,
        )


class RoutingCorrectionPublic(BaseModel):
    predicted_label: str
    corrected_label: str | None
    corrected_category_code: str | None
    department_code: str
    department_name: str | None
    corrected_by: str
    corrected_at: datetime

    @classmethod
    def of(cls, c: RoutingCorrection) -> RoutingCorrectionPublic:
        return cls(
            predicted_label=c.predicted_label,
            corrected_label=c.corrected_label,
            corrected_category_code=c.corrected_category_code,
            department_code=c.department_code,
            department_name=c.department_name,
            corrected_by=c.corrected_by,
            corrected_at=c.corrected_at,
        )


class CaseRoutingPublic(BaseModel):
    case_id: int
    model_available: bool
    model_version: str | None = Field(description="the model loaded now")
    decision: RoutingDecisionPublic | None = Field(description="null: the router made none")
    corrections: list[RoutingCorrectionPublic]


class SuggestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    crs: CoordSystem = CoordSystem.wgs84
    k: int = Field(default=3, ge=1, le=7)


class SuggestionsPublic(BaseModel):
    model_available: bool
    model_version: str | None
    suggestions: list[RouteSuggestionPublic]


@router.get(
    "/cases/{case_id}/routing",
    response_model=CaseRoutingPublic,
    summary="The router's decision on a case: suggestions, explanation, outcome",
)
def case_routing(
    case_id: RowId, platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> CaseRoutingPublic:
    found = platform.routing.case_routing(session, actor, case_id)
    return CaseRoutingPublic(
        case_id=found.case_id,
        model_available=platform.routing.available,
        model_version=platform.routing.model_version,
        decision=RoutingDecisionPublic.of(found.decision) if found.decision else None,
        corrections=[RoutingCorrectionPublic.of(c) for c in found.corrections],
    )


@router.post(
    "/routing/suggest",
    response_model=SuggestionsPublic,
    summary="Top-k routing suggestions for a text (and the unit at a point, if given)",
)
def suggest(
    body: SuggestRequest, platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> SuggestionsPublic:
    found = platform.routing.suggest_routes(
        session, actor, body.text, lon=body.lon, lat=body.lat, crs=body.crs.value, k=body.k
    )
    return SuggestionsPublic(
        model_available=platform.routing.available,
        model_version=platform.routing.model_version,
        suggestions=[RouteSuggestionPublic.of(s) for s in found],
    )
