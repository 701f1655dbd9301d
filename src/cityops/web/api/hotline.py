"""API: the hotline operator console (热线受理台) — the caller's earlier appeals, live assistance
while the operator types, and taking the call. The use cases live in appeals/hotline; this
module only maps HTTP."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from cityops.appeals.hotline.public import (
    ADDRESS_MAX,
    MAX_CALLER_CASES,
    NAME_MAX,
    TEXT_MAX,
    AppealType,
    AssistQuery,
    CallerCase,
    CallMode,
    NewCall,
)
from cityops.appeals.routing.public import RouteSuggestion
from cityops.web.api.cases import CasePublic
from cityops.web.api.duplicates import SimilarCasePublic
from cityops.web.api.knowledge import ArticlePublic
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession
from cityops.web.params import RowId

router = APIRouter(prefix="/api/v1/hotline", tags=["hotline"])

Phone = Annotated[str, Path(min_length=3, max_length=32, examples=["13812345678"])]


class ModeRightsPublic(BaseModel):
    record: bool = Field(description="受理")
    dispatch: bool = Field(description="直派: register and dispatch at once")
    answer: bool = Field(description="直接办结: answer a consultation on the spot")
    merge: bool = Field(description="merge a repeat call into an open case")


class CallerCasePublic(BaseModel):
    case_id: int
    number: str
    title: str
    status: str
    category_code: str
    category_name: str
    department_code: str | None
    department_name: str | None
    reported_at: datetime
    closed_at: datetime | None
    lon: float | None = Field(default=None, description="where it was (WGS84)")
    lat: float | None = None

    @classmethod
    def of(cls, c: CallerCase) -> CallerCasePublic:
        return cls(**{name: getattr(c, name) for name in cls.model_fields})


class AssistRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=TEXT_MAX)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    phone: str | None = Field(default=None, max_length=32)


class SuggestionPublic(BaseModel):
    label: str
    probability: float
    category_code: str
    category_name: str
    department_code: str | None
    department_name: str | None
    top_words: list[tuple[str, float]]

    @classmethod
    def of(cls, s: RouteSuggestion) -> SuggestionPublic:
        return cls(
            label=s.label,
            probability=s.probability,
            category_code=s.category_code,
            category_name=s.category_name,
            department_code=s.department_code,
            department_name=s.department_name,
            top_words=list(s.top_words),
        )


class AssistPublic(BaseModel):
    suggestions: list[SuggestionPublic] = Field(description="[] when no routing model is loaded")
    model_version: str | None
    similar: list[SimilarCasePublic] = Field(description="open cases nearby; [] without a point")
    articles: list[ArticlePublic]
    caller: list[CallerCasePublic] = Field(description="with a valid phone: earlier appeals")


class CallCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str | None = Field(default=None, max_length=32, examples=["13812345678"])
    appeal_type: AppealType
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    mode: CallMode = CallMode.record
    category_code: str | None = Field(default=None, max_length=16)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    crs: Literal["wgs84", "gcj02"] = "wgs84"
    area_code: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=ADDRESS_MAX)
    caller_name: str | None = Field(default=None, max_length=NAME_MAX)
    department_code: str | None = Field(default=None, max_length=40)
    article_code: str | None = Field(default=None, max_length=32)
    answer: str | None = Field(default=None, max_length=4000)
    merge_into: RowId | None = None
    note: str | None = Field(default=None, max_length=2000)


class CallPublic(BaseModel):
    mode: str
    case: CasePublic
    merged_into_number: str | None
    sms: bool = Field(description="the caller's mobile hears about the case's progress")


@router.get("/modes", response_model=ModeRightsPublic)
def mode_rights(platform: PlatformDep, actor: CurrentActor) -> ModeRightsPublic:
    """The ways the signed-in user may take a call (the console enables its buttons by it)."""
    r = platform.hotline.mode_rights(actor)
    return ModeRightsPublic(record=r.record, dispatch=r.dispatch, answer=r.answer, merge=r.merge)


@router.get("/callers/{phone}/appeals", response_model=list[CallerCasePublic])
def caller_appeals(
    phone: Phone,
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=MAX_CALLER_CASES)] = 20,
) -> list[CallerCasePublic]:
    """The caller's earlier cases from this number, newest first."""
    found = platform.hotline.caller_appeals(session, actor, phone, limit=limit)
    return [CallerCasePublic.of(c) for c in found]


@router.post("/assist", response_model=AssistPublic)
def assist(
    body: AssistRequest, platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> AssistPublic:
    """Routing suggestions (top 3), similar open cases nearby, knowledge-base answers and the
    caller's earlier appeals, in one round trip."""
    found = platform.hotline.assist(
        session, actor, AssistQuery(text=body.text, lon=body.lon, lat=body.lat, phone=body.phone)
    )
    return AssistPublic(
        suggestions=[SuggestionPublic.of(s) for s in found.suggestions],
        model_version=found.model_version,
        similar=[SimilarCasePublic(**asdict(s)) for s in found.similar],
        articles=[ArticlePublic.of_hit(h) for h in found.articles],
        caller=[CallerCasePublic.of(c) for c in found.caller],
    )


@router.post("/calls", response_model=CallPublic, status_code=status.HTTP_201_CREATED)
def take_call(body: CallCreate, platform: PlatformDep, actor: CurrentActor) -> CallPublic:
    """Take the call: `record` (受理), `dispatch` (直派: register and dispatch in the same
    transaction), `answer` (直接办结: a consultation answered and closed), or `record` with
    `merge_into` (a repeat call merged into that open case). All or nothing."""
    cmd = NewCall(
        **{**body.model_dump(), "appeal_type": body.appeal_type.value, "mode": body.mode.value}
    )
    with platform.uow() as uow:
        receipt = platform.hotline.take_call(uow, actor, cmd)
    return CallPublic(
        mode=receipt.mode.value,
        case=CasePublic.of(receipt.case),
        merged_into_number=receipt.merged_into_number,
        sms=receipt.sms,
    )
