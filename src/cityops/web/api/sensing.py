"""API: sensing — device types, devices (register, list, status, token) and dead letters for
staff; `POST /api/v1/telemetry` for devices, signed with the device's own token
(`X-Device-Token`), one message or a batch (see sensing/payloads.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from json.encoder import encode_basestring_ascii
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool

from cityops.geo.public import CoordSystem
from cityops.kernel.errors import ValidationFailed
from cityops.sensing.public import (
    MAX_PAYLOAD_BYTES,
    DeviceRecord,
    DeviceStatus,
    DeviceType,
    LatestTexts,
    MetricSummary,
    NewDevice,
    Reason,
    WriterBusy,
)
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession
from cityops.web.errors import error_body

router = APIRouter(prefix="/api/v1", tags=["sensing"])

DeviceCode = Annotated[str, Path(min_length=1, max_length=64, examples=["AQ-0001"])]


class MetricPublic(BaseModel):
    key: str
    name_zh: str
    name_en: str
    unit: str
    min: float | None
    max: float | None
    precision: int
    interval_seconds: int
    sdm: str


class DeviceTypePublic(BaseModel):
    code: str
    name_zh: str
    name_en: str
    sdm_type: str
    raw_retention_days: int
    rollup_retention_days: int
    metrics: list[MetricPublic]

    @classmethod
    def of(cls, kind: DeviceType) -> DeviceTypePublic:
        return cls(
            code=kind.code,
            name_zh=kind.name_zh,
            name_en=kind.name_en,
            sdm_type=kind.sdm_type,
            raw_retention_days=kind.raw_retention_days,
            rollup_retention_days=kind.rollup_retention_days,
            metrics=[
                MetricPublic(
                    key=m.key,
                    name_zh=m.name_zh,
                    name_en=m.name_en,
                    unit=m.unit,
                    min=m.min_value,
                    max=m.max_value,
                    precision=m.precision,
                    interval_seconds=int(m.interval.total_seconds()),
                    sdm=m.sdm,
                )
                for m in kind.metrics
            ],
        )


class DeviceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
    type_code: str = Field(min_length=1, max_length=40)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    crs: CoordSystem = Field(default=CoordSystem.wgs84, description="wgs84 (stored) or gcj02")
    name: str = Field(default="", max_length=120)
    owner_department: str = Field(default="", max_length=40)
    om_department: str = Field(default="", max_length=40, description="运维单位")
    gateway_code: str = Field(default="", max_length=64)
    installed_on: date | None = None
    inactivity_seconds: int | None = Field(default=None, ge=10, le=30 * 86400)


class DevicePublic(BaseModel):
    code: str
    type_code: str
    name: str
    lon: float
    lat: float
    area_code: str
    owner_department: str
    om_department: str
    gateway_code: str
    installed_on: date | None
    inactivity_seconds: int
    status: DeviceStatus
    has_token: bool
    mqtt_username: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, d: DeviceRecord) -> DevicePublic:
        return cls(
            code=d.code,
            type_code=d.type_code,
            name=d.name,
            lon=d.lon,
            lat=d.lat,
            area_code=d.area_code,
            owner_department=d.owner_department,
            om_department=d.om_department,
            gateway_code=d.gateway_code,
            installed_on=d.installed_on,
            inactivity_seconds=d.inactivity_seconds,
            status=d.status,
            has_token=d.has_token,
            mqtt_username=d.mqtt_username,
            created_at=d.created_at,
            updated_at=d.updated_at,
        )


class DeviceRegistered(BaseModel):
    device: DevicePublic
    token: str = Field(description="the device's HTTP token, shown this once (only a hash is kept)")


class DevicePage(BaseModel):
    total: int
    items: list[DevicePublic]


class DeviceStatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: DeviceStatus


class DeviceToken(BaseModel):
    token: str


class TelemetryProblem(BaseModel):
    reason: str
    detail: str


class TelemetryAccepted(BaseModel):
    accepted: int = Field(description="data points stored (a point stored before counts too)")
    problems: list[TelemetryProblem]


@router.get("/sensing/device-types", response_model=list[DeviceTypePublic])
def list_device_types(
    platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> list[DeviceTypePublic]:
    return [DeviceTypePublic.of(k) for k in platform.sensing.device_types(session, actor)]


@router.get("/sensing/devices", response_model=DevicePage)
def list_devices(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    type_code: Annotated[str | None, Query(max_length=40)] = None,
    area: Annotated[str | None, Query(max_length=40, description="an area code (prefix)")] = None,
    status: DeviceStatus | None = None,
    q: Annotated[str | None, Query(max_length=64, description="code or name holds")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DevicePage:
    items, total = platform.sensing.list_devices(
        session,
        actor,
        type_code=type_code,
        area_prefix=area,
        status=status.value if status else None,
        query=q,
        offset=offset,
        limit=limit,
    )
    return DevicePage(total=total, items=[DevicePublic.of(d) for d in items])


@router.post("/sensing/devices", response_model=DeviceRegistered, status_code=201)
def register_device(
    body: DeviceCreate, platform: PlatformDep, actor: CurrentActor
) -> DeviceRegistered:
    """Register a device (administrators, integrations): located into the area chain; its HTTP
    token is in this answer only."""
    with platform.uow() as uow:
        done = platform.sensing.register_device(uow.session, actor, NewDevice(**body.model_dump()))
    platform.sensing.directory.forget(done.device.code)
    return DeviceRegistered(device=DevicePublic.of(done.device), token=done.token)


@router.get("/sensing/devices/{code}", response_model=DevicePublic)
def read_device(
    code: DeviceCode, platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> DevicePublic:
    return DevicePublic.of(platform.sensing.get_device(session, actor, code))


@router.put("/sensing/devices/{code}/status", response_model=DevicePublic)
def set_device_status(
    code: DeviceCode, body: DeviceStatusUpdate, platform: PlatformDep, actor: CurrentActor
) -> DevicePublic:
    """active, maintenance (its alarms suppressed while serviced) or retired (its data refused)."""
    with platform.uow() as uow:
        record = platform.sensing.set_status(uow.session, actor, code, body.status)
    platform.sensing.directory.forget(code)
    return DevicePublic.of(record)


@router.post("/sensing/devices/{code}/token", response_model=DeviceToken)
def issue_device_token(code: DeviceCode, platform: PlatformDep, actor: CurrentActor) -> DeviceToken:
    """A new HTTP token; the old one stops working."""
    with platform.uow() as uow:
        token = platform.sensing.issue_token(uow.session, actor, code)
    platform.sensing.directory.forget(code)
    return DeviceToken(token=token)


_REFUSAL_STATUS = {
    Reason.bad_credentials: 401,
    Reason.device_retired: 403,
    Reason.too_large: 413,
    Reason.rate_limited: 429,
    Reason.malformed: 400,
    Reason.bad_shape: 422,
}


@router.post(
    "/telemetry",
    response_model=TelemetryAccepted,
    responses={
        400: {"description": "the body is not JSON"},
        401: {"description": "no device has this token"},
        413: {"description": "the body is over 64 KB"},
        422: {"description": "nothing in the body could be stored"},
        429: {"description": "the device sends faster than allowed"},
        503: {"description": "the store is busy; retry after the header's seconds"},
    },
)
async def post_telemetry(
    request: Request,
    platform: PlatformDep,
    x_device_token: Annotated[str, Header(max_length=200, description="the device's token")] = "",
) -> Any:
    """Telemetry of the device the token belongs to: `{"ts": …, "values": {"pm25": 35}}` or a
    list of such (≤ 1,000). Answered once stored: how many points were taken and, for each value
    that was not, why (each kept as a dead letter)."""
    raw = await request.body()
    if len(raw) > MAX_PAYLOAD_BYTES:
        raw = raw[: MAX_PAYLOAD_BYTES + 1]
    source = request.client.host if request.client else ""
    try:
        result = await run_in_threadpool(
            platform.sensing.ingestion.from_http, x_device_token, raw, source
        )
        await run_in_threadpool(result.committed.result, 30)
    except WriterBusy:
        return JSONResponse(
            error_body("store_busy", "the telemetry store is busy; retry shortly"),
            status_code=503,
            headers={"Retry-After": "2"},
        )
    problems = [TelemetryProblem(reason=p.reason, detail=p.detail) for p in result.problems]
    if result.accepted == 0 and result.problems:
        first = result.problems[0]
        status = _REFUSAL_STATUS.get(first.reason, 422)
        return JSONResponse(
            error_body(
                f"telemetry_{first.reason}",
                first.detail,
                problems=[p.model_dump() for p in problems],
            ),
            status_code=status,
            headers={"Retry-After": "60"} if status == 429 else None,
        )
    return TelemetryAccepted(accepted=result.accepted, problems=problems)


class DeadLetterPublic(BaseModel):
    id: int
    received_at: datetime
    channel: str
    device_code: str
    reason: str
    detail: str
    source: str
    payload: str
    repeats: int


class DeadLetterPage(BaseModel):
    total: int
    per_reason: dict[str, int]
    items: list[DeadLetterPublic]


@router.get("/sensing/dead-letters", response_model=DeadLetterPage)
def list_dead_letters(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    reason: Annotated[str | None, Query(max_length=40)] = None,
    device: Annotated[str | None, Query(max_length=64)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DeadLetterPage:
    """What ingestion could not use (newest first), with its reason and the payload's start."""
    items, total, per_reason = platform.sensing.dead_letters(
        session, actor, reason=reason, device_code=device, offset=offset, limit=limit
    )
    return DeadLetterPage(
        total=total,
        per_reason=per_reason,
        items=[DeadLetterPublic(**vars(d)) for d in items],
    )


# -- time series: a device's series, latest values, device health ------------------------------


class SeriesPublic(BaseModel):
    device_code: str
    metric: str
    unit: str
    interval: str
    agg: str = Field(description="the aggregate of each bucket; raw for raw points")
    from_: datetime = Field(alias="from")
    to: datetime
    points: list[tuple[int, float]] = Field(description="[ms since 1970 UTC, value], by time")
    downsampled_from: int | None = Field(description="points before LTTB, when it was applied")


def _ms_to_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


@router.get(
    "/sensing/devices/{code}/series", response_model=SeriesPublic, response_model_by_alias=True
)
def read_series(
    code: DeviceCode,
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    metric: Annotated[str, Query(min_length=1, max_length=40)],
    from_: Annotated[
        datetime | None, Query(alias="from", description="default: to − 1 day")
    ] = None,
    to: Annotated[datetime | None, Query(description="default: now")] = None,
    interval: Annotated[str, Query(max_length=8, description="raw, 1m, 1h or 1d")] = "raw",
    agg: Annotated[str, Query(max_length=8, description="avg, min, max, sum, count, last")] = "avg",
    points: Annotated[int | None, Query(ge=3, le=10_000, description="LTTB to N points")] = None,
) -> SeriesPublic:
    """One metric of a device: raw points, or the 1-minute / hourly / daily rollups under an
    aggregate; `points=N` keeps at most N points chosen by LTTB (for charts)."""
    for name, at in (("from", from_), ("to", to)):
        if at is not None and at.tzinfo is None:
            raise ValidationFailed(
                f"{name} needs a time zone (…Z or +08:00)", code="bad_time_range"
            )
    found = platform.sensing.series(
        session,
        actor,
        code,
        metric=metric,
        start=from_,
        end=to,
        interval=interval,
        agg=agg,
        points=points,
    )
    return SeriesPublic.model_validate(
        {
            "device_code": found.device_code,
            "metric": found.metric,
            "unit": found.unit,
            "interval": found.interval,
            "agg": found.agg,
            "from": _ms_to_datetime(found.start),
            "to": _ms_to_datetime(found.end),
            "points": found.points,
            "downsampled_from": found.downsampled_from,
        }
    )


class LatestValuePublic(BaseModel):
    metric: str
    ts: datetime
    value: float


class DeviceLatestPublic(BaseModel):
    code: str
    type_code: str
    area_code: str
    values: list[LatestValuePublic]


class MetricSummaryPublic(BaseModel):
    metric: str
    devices: int
    min: float
    max: float
    avg: float
    newest: datetime


class LatestPublic(BaseModel):
    total: int = Field(description="devices that matched (at most `limit` are listed)")
    devices: list[DeviceLatestPublic]
    summary: list[MetricSummaryPublic] = Field(description="per metric, over the devices listed")


@router.get("/sensing/latest", response_model=LatestPublic)
def read_latest(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    device: Annotated[str | None, Query(max_length=64)] = None,
    area: Annotated[str | None, Query(max_length=40, description="an area code (prefix)")] = None,
    type_: Annotated[str | None, Query(alias="type", max_length=40, description="a type")] = None,
    metric: Annotated[str | None, Query(max_length=40, description="one metric only")] = None,
    limit: Annotated[int, Query(ge=1, le=20_000)] = 10_000,
) -> Response:
    """Latest values of one device, or of the devices of an area and/or a type with each
    metric's count, min, max and average over them."""
    if device is None and metric is None:  # many devices, all their values: the stored texts
        texts = platform.sensing.latest_texts(
            session, actor, area=area, type_code=type_, limit=limit
        )
        return Response(_latest_body(texts), media_type="application/json")
    found = platform.sensing.latest(
        session, actor, device=device, area=area, type_code=type_, metric=metric, limit=limit
    )
    instants: dict[int, datetime] = {}  # a station sends its metrics at one instant

    def at(ms: int) -> datetime:
        held = instants.get(ms)
        if held is None:
            held = instants[ms] = _ms_to_datetime(ms)
        return held

    # written as JSON by pydantic's core straight from plain data, without a model object per
    # value (its shape is LatestPublic's, which the API tests check)
    return Response(
        to_json(
            {
                "total": found.total,
                "devices": [
                    {
                        "code": d.code,
                        "type_code": d.type_code,
                        "area_code": d.area_code,
                        "values": [
                            {"metric": v.metric, "ts": at(v.ts), "value": v.value} for v in d.values
                        ],
                    }
                    for d in found.devices
                ],
                "summary": _summary(found.summary),
            }
        ),
        media_type="application/json",
    )


def _latest_body(texts: LatestTexts) -> bytes:
    """LatestPublic's JSON with each device's values spliced in as stored (latest_docs.py):
    for 10,000 devices, one short string per device instead of 120,000 values written out."""
    js = encode_basestring_ascii  # a JSON string literal, in C: 30,000 of them per answer
    parts = [
        f'{{"code":{js(d.code)},"type_code":{js(d.type_code)},'
        f'"area_code":{js(d.area_code)},"values":{d.doc}}}'
        for d in texts.devices
    ]
    summary = to_json(_summary(texts.summary)).decode()
    body = f'{{"total":{texts.total},"devices":[{",".join(parts)}],"summary":{summary}}}'
    return body.encode()


def _summary(summary: list[MetricSummary]) -> list[dict[str, Any]]:
    return [
        {
            "metric": s.metric,
            "devices": s.devices,
            "min": s.min,
            "max": s.max,
            "avg": s.avg,
            "newest": _ms_to_datetime(s.newest),
        }
        for s in summary
    ]


class HealthGroupPublic(BaseModel):
    key: str
    devices: int
    online: int
    offline: int
    maintenance: int
    online_rate: float = Field(description="在线率: online ÷ devices")
    received: int
    expected: float
    completeness: float = Field(description="数据完整率: received ÷ expected points")


class HealthPublic(BaseModel):
    group_by: str
    window_start: datetime
    window_end: datetime
    groups: list[HealthGroupPublic]


@router.get("/sensing/health", response_model=HealthPublic)
def read_health(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    group_by: Annotated[str, Query(max_length=20, description="type, area or om_department")] = (
        "type"
    ),
    area: Annotated[str | None, Query(max_length=40, description="an area code (prefix)")] = None,
    window: Annotated[int, Query(ge=5, le=1440, description="minutes for completeness")] = 60,
) -> HealthPublic:
    """Devices online (newest value younger than the device's inactivity timeout) and the data
    completeness over the last `window` minutes rolled up, per type, area or O&M unit."""
    found = platform.sensing.health(
        session, actor, group_by=group_by, area=area, window_minutes=window
    )
    return HealthPublic(
        group_by=found.group_by,
        window_start=_ms_to_datetime(found.window_start),
        window_end=_ms_to_datetime(found.window_end),
        groups=[
            HealthGroupPublic(
                key=g.key,
                devices=g.devices,
                online=g.online,
                offline=g.devices - g.online,
                maintenance=g.maintenance,
                online_rate=round(g.online_rate, 4),
                received=g.received,
                expected=round(g.expected, 2),
                completeness=round(g.completeness, 4),
            )
            for g in found.groups
        ],
    )
