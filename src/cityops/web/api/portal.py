"""API: the citizen portal under /api/v1/portal — submit an appeal (multipart, up to 3 photos),
track it by code, rate it, and the public board. No sign-in: every call acts as the anonymous
citizen, limited per client address (a rating sent with a staff token is refused). Nothing here
returns a name or a phone number."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from cityops.appeals.portal.public import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    AppealReceipt,
    Board,
    BoardRow,
    NewAppeal,
    NewRating,
    PhotoUpload,
    PublicCase,
    TimelineStep,
)
from cityops.geo.public import AreaLevel
from cityops.kernel.actor import Actor, anonymous_citizen
from cityops.web.deps import PlatformDep, ReadSession, optional_actor, spend_allowance
from cityops.web.errors import error_body

router = APIRouter(prefix="/api/v1/portal", tags=["portal"])


class AppealPublic(BaseModel):
    """The receipt of a submitted appeal: keep the tracking code to follow it."""

    tracking_code: str
    case_number: str
    appeal_type: str
    category_code: str
    category_name: str
    category_by: str
    expected_by: datetime | None
    photos: list[str]
    track_url: str
    place: str = Field(description="the areas the case lies in, e.g. 下城区 石桥街道")
    approximate: bool = Field(
        description="placed by the street or community named or chosen, not by a point"
    )

    @classmethod
    def of(cls, r: AppealReceipt) -> AppealPublic:
        return cls(
            tracking_code=r.tracking_code,
            case_number=r.case_number,
            appeal_type=r.appeal_type.value,
            category_code=r.category_code,
            category_name=r.category_name,
            category_by=r.category_by,
            expected_by=r.expected_by,
            photos=list(r.photos),
            track_url=f"/portal/track/{r.tracking_code}",
            place=r.place,
            approximate=r.approximate,
        )


class StepPublic(BaseModel):
    step: str
    at: datetime
    unit: str | None = None
    text: str | None = None

    @classmethod
    def of(cls, s: TimelineStep) -> StepPublic:
        return cls(step=s.step, at=s.at, unit=s.unit, text=s.text)


class TrackPublic(BaseModel):
    """A case as anyone with its tracking code sees it."""

    tracking_code: str
    case_number: str
    appeal_type: str | None
    category_name: str
    description: str
    address: str | None
    street: str | None
    status: str
    phase: str
    reported_at: datetime
    expected_by: datetime | None
    unit: str | None
    photos: list[str]
    timeline: list[StepPublic]
    can_rate: bool
    satisfaction: str | None
    rating_comment: str | None
    merged_into: str | None = None
    approximate: bool = False  # the place was named (street/community), not pinned

    @classmethod
    def of(cls, c: PublicCase) -> TrackPublic:
        return cls(
            tracking_code=c.tracking_code,
            case_number=c.case_number,
            appeal_type=c.appeal_type.value if c.appeal_type else None,
            category_name=c.category_name,
            description=c.description,
            address=c.address,
            street=c.street,
            status=c.status,
            phase=c.phase,
            reported_at=c.reported_at,
            expected_by=c.expected_by,
            unit=c.unit,
            photos=list(c.photos),
            timeline=[StepPublic.of(s) for s in c.timeline],
            can_rate=c.can_rate,
            satisfaction=c.satisfaction.value if c.satisfaction else None,
            rating_comment=c.rating_comment,
            merged_into=c.merged_into,
            approximate=c.approximate,
        )


class RatingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    satisfaction: str = Field(examples=["satisfied", "basically_satisfied", "unsatisfied"])
    comment: str = Field(default="", max_length=500)


class RatingPublic(BaseModel):
    reopened: bool
    case: TrackPublic


class BoardRowPublic(BaseModel):
    code: str
    name: str
    reported: int
    closed: int
    on_time_rate: float | None
    rated: int
    satisfaction_rate: float | None

    @classmethod
    def of(cls, r: BoardRow) -> BoardRowPublic:
        return cls(**r.__dict__)


class BoardPublic(BaseModel):
    month: str
    reported: int
    closed: int
    on_time_rate: float | None
    satisfaction_rate: float | None
    by_department: list[BoardRowPublic]
    by_street: list[BoardRowPublic]

    @classmethod
    def of(cls, b: Board) -> BoardPublic:
        return cls(
            month=b.month,
            reported=b.reported,
            closed=b.closed,
            on_time_rate=b.on_time_rate,
            satisfaction_rate=b.satisfaction_rate,
            by_department=[BoardRowPublic.of(r) for r in b.by_department],
            by_street=[BoardRowPublic.of(r) for r in b.by_street],
        )


def _read_upload(upload: UploadFile) -> PhotoUpload:
    # one byte over the limit is enough to refuse it with the file's name
    return PhotoUpload(
        filename=upload.filename or "photo", data=upload.file.read(MAX_PHOTO_BYTES + 1)
    )


@router.post(
    "/appeals",
    response_model=AppealPublic,
    status_code=status.HTTP_201_CREATED,
    responses={413: {}, 422: {}, 429: {}},
)
def submit_appeal(
    platform: PlatformDep,
    request: Request,
    appeal_type: Annotated[str, Form(max_length=16)],
    description: Annotated[str, Form(max_length=5000)],
    lon: Annotated[float | None, Form()] = None,
    lat: Annotated[float | None, Form()] = None,
    category_code: Annotated[str, Form(max_length=16)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
    phone: Annotated[str, Form(max_length=20)] = "",
    anonymous: Annotated[bool, Form()] = False,
    crs: Annotated[str, Form(max_length=8)] = "wgs84",
    area_code: Annotated[str, Form(max_length=40)] = "",
    photos: Annotated[list[UploadFile] | None, File()] = None,
) -> AppealPublic | JSONResponse:
    """提交诉求: multipart form fields and up to 3 photos (JPEG/PNG/WebP, ≤ 10 MB each).
    The place: `lon`/`lat`; or `area_code`, a street or community from GET /places; or an
    `address` naming one (approximate: the area's own point stands for the spot)."""
    spend_allowance(platform, request, "submit")
    files = [f for f in (photos or []) if f.filename or f.size]
    if len(files) > MAX_PHOTOS:
        return JSONResponse(
            error_body(
                "too_many_photos",
                f"at most {MAX_PHOTOS} photos per appeal; you sent {len(files)}",
            ),
            status_code=422,
        )
    cmd = NewAppeal(
        appeal_type=appeal_type,
        description=description,
        category_code=category_code or None,
        lon=lon,
        lat=lat,
        crs=crs,
        address=address or None,
        phone=phone or None,
        anonymous=anonymous,
        photos=tuple(_read_upload(f) for f in files),
        area_code=area_code or None,
    )
    receipt = platform.portal.submit_appeal(platform.uow, anonymous_citizen(), cmd)
    return AppealPublic.of(receipt)


class PlacePublic(BaseModel):
    """A street or community the appeal form offers (所在街道/社区)."""

    code: str
    name: str
    level: str  # street | community
    street_code: str  # the street itself, or the community's street


class PortalCategory(BaseModel):
    """A category as the portal's picker offers it."""

    code: str
    name: str


@router.get("/categories", response_model=list[PortalCategory], responses={304: {}, 429: {}})
def portal_categories(platform: PlatformDep, session: ReadSession, request: Request) -> Response:
    """The categories the appeal form offers: the active leaves, code and name only (a few KB;
    GET /api/v1/categories gives every field, over 100 KB for the default list). The picker
    searches them in the page. Kept by the browser for five minutes, then asked again with its
    ETag (304 when the list is unchanged)."""
    spend_allowance(platform, request, "read")
    body = json.dumps(
        [
            {"code": c.code, "name": c.name}
            for c in platform.taxonomy.list_categories(session, leaf_only=True)
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/places", response_model=list[PlacePublic], responses={429: {}})
def places(platform: PlatformDep, session: ReadSession, request: Request) -> list[PlacePublic]:
    """The streets and their communities, for choosing the place without a map."""
    spend_allowance(platform, request, "read")
    out: list[PlacePublic] = []
    for street in platform.geo.list_areas(session, AreaLevel.street):
        out.append(
            PlacePublic(code=street.code, name=street.name, level="street", street_code=street.code)
        )
        out.extend(
            PlacePublic(code=c.code, name=c.name, level="community", street_code=street.code)
            for c in platform.geo.list_areas(session, AreaLevel.community, street.code)
        )
    return out


@router.get("/track/{code}", response_model=TrackPublic, responses={404: {}, 429: {}})
def track(platform: PlatformDep, session: ReadSession, request: Request, code: str) -> TrackPublic:
    """查询进度: the public timeline of a case by its tracking code."""
    spend_allowance(platform, request, "read")
    return TrackPublic.of(platform.portal.track_case(session, anonymous_citizen(), code))


@router.post(
    "/track/{code}/rating",
    response_model=RatingPublic,
    responses={403: {}, 404: {}, 409: {}, 429: {}},
)
def rate(
    platform: PlatformDep,
    request: Request,
    code: str,
    body: RatingCreate,
    signed_in: Annotated[Actor | None, Depends(optional_actor)],
) -> RatingPublic:
    """评价: once the case is closed; "unsatisfied" sends it back for 重办. The citizen's own
    word: a request carrying a staff (or integration) token is refused, 403 staff_cannot_rate;
    staff record what the citizen says in a 回访 (the evaluate action)."""
    spend_allowance(platform, request, "submit")
    citizen = anonymous_citizen()
    client = request.client.host if request.client else None
    with platform.uow() as uow:
        reopened = platform.portal.rate_case(
            uow, signed_in or citizen, code, NewRating(body.satisfaction, body.comment, client)
        )
    with platform.read() as session:
        case = platform.portal.track_case(session, citizen, code)
    return RatingPublic(reopened=reopened, case=TrackPublic.of(case))


@router.get("/board", response_model=BoardPublic, responses={429: {}})
def board(
    platform: PlatformDep,
    session: ReadSession,
    request: Request,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
) -> BoardPublic:
    """公开看板: this month's counts, on-time and satisfaction rates by department and street."""
    spend_allowance(platform, request, "read")
    return BoardPublic.of(platform.portal.read_board(session, anonymous_citizen(), month))
