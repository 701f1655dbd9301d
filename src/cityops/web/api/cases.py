"""API: cases — intake, lists (filters, pages, CSV/Excel export), detail and history (the
workflow actions are in case_actions.py). Rules live in the case engine; this module only speaks
HTTP."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, status
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from cityops.cases import public as cp
from cityops.geo.public import CoordSystem
from cityops.insight.public import parse_bbox
from cityops.kernel.clock import SHANGHAI, check_day_range
from cityops.kernel.errors import ValidationFailed
from cityops.kernel.request_keys import request_key
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession
from cityops.web.params import DAY_PATTERN, MAX_PAGE, RowId
from cityops.web.responses import model_response

router = APIRouter(prefix="/api/v1", tags=["cases"])


class CaseCreate(BaseModel):
    """A new case (受理). Give the place as lon/lat (WGS84 or GCJ-02) or as an area code."""

    model_config = ConfigDict(extra="forbid")

    source: cp.CaseSource
    title: str = Field(min_length=1, max_length=200, examples=["井盖缺失"])
    description: str = Field(min_length=1, max_length=5000)
    category_code: str = Field(min_length=1, max_length=16, examples=["C010101"])
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    crs: CoordSystem = CoordSystem.wgs84
    area_code: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)
    reporter_name: str | None = Field(default=None, max_length=64)
    reporter_phone: str | None = Field(
        default=None,
        max_length=32,
        description="mainland mobile (13800138000) or landline (0571-87654321); spaces, dashes "
        "and full-width digits are accepted and stored in one form (cases.model.checked_phone)",
    )
    urgency: cp.Urgency | None = Field(default=None, description="overrides the category's urgency")
    photos: cp.PhotoRefs = Field(
        default_factory=list,
        max_length=20,
        description="each the reference a photo upload returned "
        "(/media/<yyyy>/<mm>/<name>.<jpg|png|webp>); blank entries are dropped; the engine "
        "checks them again",
    )


# The response models read the engine's records by attribute (CaseView and its parts): pydantic
# builds them in one validation, no field copied by hand.
_FROM_RECORD = ConfigDict(from_attributes=True)


class AreaBrief(BaseModel):
    model_config = _FROM_RECORD

    code: str
    name: str


class CaseAreaPublic(BaseModel):
    model_config = _FROM_RECORD

    district: AreaBrief | None
    street: AreaBrief | None
    community: AreaBrief | None
    grid: AreaBrief | None


class DepartmentBrief(BaseModel):
    model_config = _FROM_RECORD

    id: int
    code: str
    name: str


class ExtensionPublic(BaseModel):
    model_config = _FROM_RECORD

    amount: float
    unit: str


class CasePublic(BaseModel):
    """A case as staff see it. Never the tracking code: it is the citizen's credential (it
    reads the case on the portal and gives the citizen's own rating), sent to the citizen only."""

    model_config = _FROM_RECORD

    id: int
    number: str
    source: cp.CaseSource
    title: str
    description: str
    category_code: str
    category_name: str
    kind: str
    urgency: str
    status: cp.CaseStatus
    version: int
    lon: float | None
    lat: float | None
    address: str | None
    area: CaseAreaPublic
    area_code: str
    department: DepartmentBrief | None
    suggested_department: DepartmentBrief | None
    reporter_name: str | None
    reporter_phone: str | None
    reported_at: datetime
    stage: cp.Stage | None
    stage_started_at: datetime | None
    stage_deadline: datetime | None
    deadlines: dict[str, datetime]
    sla_state: cp.SlaState | None
    overdue: bool
    supervised: bool
    allowed_actions: list[str]
    created_by: str | None
    pending_extension: ExtensionPublic | None
    return_count: int
    rework_count: int
    extension_count: int
    reopen_count: int
    merged_into_id: int | None
    handled_on_time: bool | None
    closed_on_time: bool | None
    satisfaction: cp.Satisfaction | None
    registered_at: datetime | None
    dispatched_at: datetime | None
    signed_at: datetime | None
    handled_at: datetime | None
    closed_at: datetime | None
    evaluated_at: datetime | None
    may_reveal_contact: bool = Field(
        False, description="the asker may see the contact in clear with ?reveal=contact (audited)"
    )

    @classmethod
    def of(cls, c: cp.CaseView) -> CasePublic:
        return cls.model_validate(c)


class CasePage(BaseModel):
    items: list[CasePublic]
    total: int
    page: int
    size: int


class HistoryEntryPublic(BaseModel):
    model_config = _FROM_RECORD

    id: int
    seq: int
    action: str
    from_status: str | None
    to_status: str | None
    actor_user_id: int | None
    actor_name: str
    actor_role: str
    at: datetime
    note: str
    data: dict[str, Any]
    attachments: list[str]
    correlation_id: str | None = Field(
        None, description="the request (X-Request-ID) whose chain of steps this one is part of"
    )
    causation_id: str | None = Field(
        None, description="what caused the step: that request, or the event a handler acted on"
    )


def _moment(value: str | None, name: str) -> datetime | None:
    """A `from` or `to` bound as an instant. A day (YYYY-MM-DD or YYYYMMDD) is counted whole:
    `from` starts at its 00:00 in Shanghai, `to` ends at the next day's 00:00 (as the
    indicators' `to`). A date and time is that moment (Shanghai time without a zone)."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        if DAY_PATTERN.match(text):
            day = date.fromisoformat(text)
            check_day_range(day, name)
            if name == "to":
                day += timedelta(days=1)
            return datetime.combine(day, time.min, tzinfo=SHANGHAI)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"{name} must be a day (YYYY-MM-DD, counted whole) or a date and time "
            f"(YYYY-MM-DDTHH:MM[:SS][±HH:MM]), not {text!r}",
            code=f"invalid_{name}",
        ) from None
    check_day_range(moment, name)
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


StatusQ = Annotated[
    list[cp.CaseStatus] | None, Query(alias="status", description="repeat for several")
]
CategoryQ = Annotated[str | None, Query(max_length=16, description="category code or prefix")]
AreaQ = Annotated[str | None, Query(max_length=40, description="area code or prefix")]
DepartmentQ = Annotated[str | None, Query(max_length=40, description="department code")]
SourceQ = Annotated[cp.CaseSource | None, Query()]
OverdueQ = Annotated[bool | None, Query()]
FromQ = Annotated[
    str | None,
    Query(
        alias="from",
        max_length=40,
        description="reported at or after: a day (YYYY-MM-DD, from its 00:00) or a date and "
        "time; Asia/Shanghai unless the time names its zone",
    ),
]
ToQ = Annotated[
    str | None,
    Query(
        alias="to",
        max_length=40,
        description="a day (YYYY-MM-DD): reported on or before that day, the whole day counted "
        "(inclusive, Asia/Shanghai — as /indicators/cases); a date and time "
        "(YYYY-MM-DDTHH:MM[:SS][±HH:MM]): reported before that moment (exclusive)",
    ),
]
TextQ = Annotated[str | None, Query(max_length=100, description="words in title, text, address")]
VisitQ = Annotated[
    Literal["due"] | None,
    Query(
        description="due: the cases waiting for a 回访 (待回访) — closed, reported by a citizen "
        "(hotline, web, open311, transfer) with a phone, not yet evaluated, not merged"
    ),
]
ExtensionQ = Annotated[
    Literal["pending"] | None,
    Query(description="pending: an extension request (延期申请) awaits the shift leader"),
]
ReturnedQ = Annotated[
    bool | None, Query(description="true: returned (回退) to dispatch at least once; false: never")
]
ReworkedQ = Annotated[
    bool | None,
    Query(
        description="true: sent back to be handled again at least once — 返工 after a failed "
        "核查 or 重办 after an unsatisfied 回访; false: never"
    ),
]
SlaQ = Annotated[
    cp.SlaState | None,
    Query(
        description="red: overdue (超期), or past the running stage's deadline; yellow: about to "
        "be — the SLA scan sent its reminder (催办) and it is not red; green: neither"
    ),
]


BboxQ = Annotated[
    str | None,
    Query(
        max_length=120,
        description="min_lon,min_lat,max_lon,max_lat (WGS84): only the cases placed inside",
        examples=["120.1,30.2,120.3,30.35"],
    ),
]


def parse_bbox_query(text: str | None) -> tuple[float, float, float, float] | None:
    try:
        return parse_bbox(text)
    except ValueError as exc:
        raise ValidationFailed(str(exc), code="bad_bbox", field="bbox") from exc


MineQ = Annotated[
    bool | None,
    Query(description="true: the cases you took in or reported (上报); needs a user account"),
]


def case_filter(
    actor: CurrentActor,
    statuses: StatusQ = None,
    category: CategoryQ = None,
    area: AreaQ = None,
    department: DepartmentQ = None,
    source: SourceQ = None,
    overdue: OverdueQ = None,
    start: FromQ = None,
    end: ToQ = None,
    q: TextQ = None,
    visit: VisitQ = None,
    extension: ExtensionQ = None,
    returned: ReturnedQ = None,
    reworked: ReworkedQ = None,
    sla: SlaQ = None,
    mine: MineQ = None,
    bbox: BboxQ = None,
) -> cp.CaseFilter:
    """The list filters of /cases and /cases/export, from their query parameters."""
    if mine and actor.user_id is None:
        raise ValidationFailed(
            "mine=true lists the cases of a user account; this token has none", code="bad_mine"
        )
    return cp.CaseFilter(
        statuses=tuple(statuses or ()),
        category_code=category or None,
        area_code=area or None,
        department_code=department or None,
        source=source,
        overdue=overdue,
        reported_from=_moment(start, "from"),
        reported_to=_moment(end, "to"),
        q=(q or "").strip() or None,
        visit_due=True if visit == "due" else None,
        extension_pending=True if extension == "pending" else None,
        returned=returned,
        reworked=reworked,
        sla=sla,
        created_by_user_id=actor.user_id if mine else None,
        bbox=parse_bbox_query(bbox),
    )


CaseFilterQ = Annotated[cp.CaseFilter, Depends(case_filter)]
SortQ = Annotated[
    cp.CaseSortKey | None,
    Query(
        description="sort by this column (ties by case id); default: overdue first, then "
        "the nearest stage deadline"
    ),
]
OrderQ = Annotated[Literal["asc", "desc"], Query(description="the sort's direction")]
# A poll sends the ETag of the page it holds in If-None-Match: while the list has the same
# cases and none of them changed (one aggregate query), the answer is 304 without a body.
# The tag also turns every minute, since the SLA colours move with the clock alone.
_STAMP_SECONDS = 60


def _list_etag(actor_name: str, stamp: cp.CaseListStamp, minute: int, request: Request) -> str:
    last = stamp.last_update.isoformat() if stamp.last_update else ""
    seed = f"{actor_name}|{request.url.query}|{stamp.total}|{last}|{stamp.last_id}|{minute}"
    return 'W/"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'


IdempotencyKeyH = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="a key of your own (8 to 64 of A-Z a-z 0-9 . _ : -, e.g. a UUID) for a write "
        "you may send again: a repeat with the same key and body writes nothing and answers 200 "
        "with the case as it is now (header Idempotent-Replayed: true); the same key with "
        "another body is a 422 idempotency_key_reused",
    ),
]


def replay_response(view: cp.CaseView) -> Response:
    """The answer to a replayed write: the case as it is now, 200."""
    response = model_response(CasePublic.of(view))
    response.headers["Idempotent-Replayed"] = "true"
    return response


@router.post(
    "/cases",
    response_model=CasePublic,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": CasePublic, "description": "a replay (Idempotency-Key)"}},
)
async def create_case(
    body: CaseCreate,
    platform: PlatformDep,
    actor: CurrentActor,
    idempotency_key: IdempotencyKeyH = None,
) -> Response:
    cmd = cp.NewCase(
        source=body.source,
        title=body.title,
        description=body.description,
        category_code=body.category_code,
        lon=body.lon,
        lat=body.lat,
        crs=body.crs.value,
        area_code=body.area_code,
        address=body.address,
        reporter_name=body.reporter_name,
        reporter_phone=body.reporter_phone,
        urgency=body.urgency,
        photos=tuple(body.photos),
    )
    key = request_key(idempotency_key, "intake", body.model_dump(mode="json"))
    # Checks and lookups read only (reference data comes from caches): done here, on the event
    # loop; the write goes to the group-commit writer (infra/writer.py), answered once committed.
    with platform.read() as session:
        done = platform.cases.replayed(session, actor, key) if key else None
        if done is not None:
            return replay_response(done)
        prepared = platform.cases.prepare_case(session, actor, cmd, request_key=key)
    stored = await platform.writes.run_many(platform.cases.store_cases, prepared)
    return model_response(
        CasePublic.of(platform.cases.present(prepared, stored)), status.HTTP_201_CREATED
    )


@router.get(
    "/cases",
    response_model=CasePage,
    responses={304: {"description": "the list is as the ETag in If-None-Match says"}},
)
def list_cases(
    request: Request,
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    filters: CaseFilterQ,
    sort: SortQ = None,
    order: OrderQ = "asc",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=cp.MAX_PAGE_SIZE)] = 50,
) -> Response:
    """Cases in your scope, overdue first, then by stage deadline (or by `sort`). The answer
    carries an ETag: send it back in If-None-Match to be told 304 while nothing changed."""
    stamp = platform.cases.list_stamp(session, actor, filters)
    minute = int(platform.clock.now().timestamp()) // _STAMP_SECONDS
    etag = _list_etag(actor.username, stamp, minute, request)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    held = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
    if etag in held:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    by = None if sort is None else cp.CaseOrder(sort, descending=order == "desc")
    result = platform.cases.list_cases(session, actor, filters, page, size, order=by, stamp=stamp)
    body = CasePage(
        items=[CasePublic.of(c) for c in result.items],
        total=result.total,
        page=result.page,
        size=result.size,
    )
    response = model_response(body)
    response.headers.update(headers)
    return response


@router.get("/cases/export", response_class=Response)
def export_cases(
    platform: PlatformDep,
    actor: CurrentActor,
    f: CaseFilterQ,
    fmt: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """The filtered list as CSV (streamed) or Excel; phone numbers masked."""
    stamp = platform.clock.now().astimezone(SHANGHAI).strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        with platform.read() as session:
            body = cp.xlsx_bytes(
                platform.cases.iter_cases(session, actor, f), levels=platform.geo.levels
            )
        return Response(
            body,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="cases-{stamp}.xlsx"'},
        )
    with platform.read() as session:  # refuse before anything is streamed
        platform.cases.iter_cases(session, actor, f)

    def chunks() -> Any:
        with platform.read() as session:
            yield from cp.csv_chunks(
                platform.cases.iter_cases(session, actor, f), levels=platform.geo.levels
            )

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cases-{stamp}.csv"'},
    )


# Phone and ID numbers in a case's text and the reporter's phone are masked for every reader;
# 'contact' shows them as written, to the roles that may see the reporter's contact (403 for the
# others), and writes an audit line into the case history.
RevealQ = Annotated[
    Literal["contact"] | None,
    Query(description="'contact' shows the reporter's phone and the text unmasked (audited)"),
]


@router.get("/cases/{case_id}", response_model=CasePublic)
def get_case(
    case_id: RowId,
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    reveal: RevealQ = None,
) -> CasePublic:
    if reveal == "contact":
        with platform.uow() as uow:
            view = platform.cases.get_case(uow.session, actor, case_id, reveal_contact=True)
        return CasePublic.of(view)
    return CasePublic.of(platform.cases.get_case(session, actor, case_id))


@router.get("/cases/{case_id}/history", response_model=list[HistoryEntryPublic])
def case_history(
    case_id: RowId,
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    reveal: RevealQ = None,
) -> list[HistoryEntryPublic]:
    if reveal == "contact":
        with platform.uow() as uow:
            entries = platform.cases.history(uow.session, actor, case_id, reveal_contact=True)
    else:
        entries = platform.cases.history(session, actor, case_id)
    return [HistoryEntryPublic.model_validate(h) for h in entries]
