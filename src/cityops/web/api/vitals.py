"""API: city vital signs (城市体征) of the operation centre — the board of every indicator at one
area, one indicator across the child areas (drill-down), its trend with baselines and
transitions, the definitions as YAML, and series imported from other systems.

Who may call what is decided by the service (insight/policy.py): the viewers of the city map
read; administrators (and leaders, reading) hold the definitions; administrators and integration
tokens import series. docs/insight/vital_signs.md."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from starlette.exceptions import HTTPException

from cityops.insight.public import (
    TrendPoint,
    VitalAreas,
    VitalBoard,
    VitalCurrent,
    VitalTransitionView,
    VitalTrend,
)
from cityops.kernel.clock import SHANGHAI, check_day_range
from cityops.kernel.errors import ValidationFailed
from cityops.web.deps import CurrentActor, PlatformDep

router = APIRouter(prefix="/api/v1", tags=["vitals"])

MAX_WINDOW = timedelta(days=400)
DEFAULT_WINDOW = timedelta(hours=24)
MAX_DEFINITIONS_BYTES = 1_000_000  # 1 MB of YAML
MAX_POINTS = 10_000
YAML_TYPES = ("text/yaml", "application/x-yaml", "application/yaml")

IndicatorCode = Annotated[
    str,
    Path(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$", description="the indicator's code"),
]
SeriesName = Annotated[
    str,
    Path(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$", description="the series' name"),
]
AreaQ = Annotated[
    str | None, Query(max_length=40, description="area code; default: the whole city")
]
_INSTANT = "ISO 8601 (2026-11-23T09:00:00+08:00); Asia/Shanghai without a zone"
FromQ = Annotated[
    str | None, Query(alias="from", max_length=40, description=f"window start, {_INSTANT}")
]
ToQ = Annotated[str | None, Query(max_length=40, description=f"window end, {_INSTANT}")]


def instant(value: str, name: str) -> datetime:
    """An ISO 8601 instant (a date and a time; Asia/Shanghai unless it names its zone); anything
    else is a 422 naming the field."""
    text = value.strip()
    try:
        if "T" not in text and " " not in text:
            raise ValueError(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"{name} must be an ISO 8601 instant such as 2026-11-23T09:00:00+08:00, not {value!r}",
            code="invalid_instant",
            field=name,
        ) from None
    check_day_range(moment, name)
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


def _point_at(value: object) -> object:
    if isinstance(value, str):
        return instant(value, "at")
    if isinstance(value, datetime):
        return value
    raise ValueError(
        f"must be an ISO 8601 instant such as 2026-11-23T09:00:00+08:00, not {value!r}"
    )


def _instant_or_error(value: object) -> object:
    # in a body, a refused instant is a pydantic error naming its place in the list
    try:
        return _point_at(value)
    except ValidationFailed as exc:
        raise ValueError(exc.message) from None


Instant = Annotated[datetime, BeforeValidator(_instant_or_error)]


# --- response models -------------------------------------------------------------------------


class ThresholdPublic(BaseModel):
    level: str = Field(description="blue | yellow | orange | red")
    value: float = Field(description="where the level starts")


class VitalPublic(BaseModel):
    """One indicator in one area, as of its last evaluation."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    category: str = Field(description="weather_environment, traffic, supply, …")
    category_zh: str
    direction: str = Field(description="higher_is_worse | higher_is_better")
    precision: int = Field(description="decimal places to show")
    area_code: str
    area_name: str
    area_level: str = Field(description="city | district | street | community | grid")
    value: float | None = Field(description="null: no data")
    status: str = Field(description="normal | pending | firing | no_data | unevaluated")
    level: str | None = Field(description="the pending or firing level (blue … red)")
    since: datetime | None = Field(description="when the status began")
    evaluated_at: datetime | None
    thresholds: list[ThresholdPublic]
    refresh_seconds: int
    levels: list[str] = Field(description="the area levels it is computed at, coarse to fine")

    @classmethod
    def of(cls, v: VitalCurrent) -> VitalPublic:
        return cls(
            code=v.code,
            name_zh=v.name_zh,
            name_en=v.name_en,
            unit=v.unit,
            category=v.category,
            category_zh=v.category_zh,
            direction=v.direction,
            precision=v.precision,
            area_code=v.area_code,
            area_name=v.area_name,
            area_level=v.area_level,
            value=v.value,
            status=v.status,
            level=v.level,
            since=v.since,
            evaluated_at=v.evaluated_at,
            thresholds=[ThresholdPublic(level=t.level, value=t.value) for t in v.thresholds],
            refresh_seconds=v.refresh_seconds,
            levels=list(v.levels),
        )


class VitalBoardPublic(BaseModel):
    area_code: str
    area_name: str
    area_level: str
    version: int = Field(description="the definition set's version")
    items: list[VitalPublic] = Field(description="catalogue order")

    @classmethod
    def of(cls, b: VitalBoard) -> VitalBoardPublic:
        return cls(
            area_code=b.area_code,
            area_name=b.area_name,
            area_level=b.area_level,
            version=b.version,
            items=[VitalPublic.of(v) for v in b.items],
        )


class AreaLinkPublic(BaseModel):
    code: str
    name: str


class VitalAreasPublic(BaseModel):
    code: str
    parent_code: str
    parent_name: str
    level: str = Field(description="the level of the child areas shown")
    chain: list[AreaLinkPublic] = Field(description="from the city down to the parent")
    items: list[VitalPublic] = Field(description="worst first")

    @classmethod
    def of(cls, a: VitalAreas) -> VitalAreasPublic:
        return cls(
            code=a.code,
            parent_code=a.parent_code,
            parent_name=a.parent_name,
            level=a.level,
            chain=[AreaLinkPublic(code=c, name=n) for c, n in a.chain],
            items=[VitalPublic.of(v) for v in a.items],
        )


class TrendPointPublic(BaseModel):
    at: datetime
    value: float | None = Field(description="the stored value, or the mean of the bucket")
    low: float | None = Field(
        default=None, description="the least value of the bucket; null: not a bucket"
    )
    high: float | None = Field(
        default=None, description="the greatest value of the bucket; null: not a bucket"
    )


def _points(points: tuple[TrendPoint, ...]) -> list[TrendPointPublic]:
    return [TrendPointPublic(at=p.at, value=p.value, low=p.low, high=p.high) for p in points]


class TransitionPublic(BaseModel):
    at: datetime
    from_status: str
    to_status: str
    from_level: str | None
    to_level: str | None
    value: float | None

    @classmethod
    def of(cls, t: VitalTransitionView) -> TransitionPublic:
        return cls(
            at=t.at,
            from_status=t.from_status,
            to_status=t.to_status,
            from_level=t.from_level,
            to_level=t.to_level,
            value=t.value,
        )


class VitalTrendPublic(BaseModel):
    current: VitalPublic
    start: datetime
    end: datetime
    points: list[TrendPointPublic]
    baselines: dict[str, list[TrendPointPublic]] = Field(
        description="year_on_year / period_on_period / same_hour_last_week, shifted forward"
    )
    transitions: list[TransitionPublic]
    step_seconds: int = Field(
        description="seconds between points: the refresh interval, or on a window of more than "
        "1,000 of them the length of the buckets each point stands for (mean, low, high)"
    )

    @classmethod
    def of(cls, t: VitalTrend) -> VitalTrendPublic:
        return cls(
            current=VitalPublic.of(t.current),
            start=t.start,
            end=t.end,
            points=_points(t.points),
            baselines={k: _points(v) for k, v in t.baselines.items()},
            transitions=[TransitionPublic.of(x) for x in t.transitions],
            step_seconds=t.step_seconds,
        )


class DefinitionsImported(BaseModel):
    version: int
    added: list[str]
    changed: list[str]


class SeriesPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    area: str = Field(min_length=1, max_length=40, description="area code")
    at: Instant = Field(description="ISO 8601 instant; Asia/Shanghai without a zone")
    value: float = Field(allow_inf_nan=False)


class SeriesImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: list[SeriesPoint] = Field(
        min_length=1, max_length=MAX_POINTS, description=f"at most {MAX_POINTS:,} per request"
    )


class SeriesStored(BaseModel):
    stored: int


# --- routes ----------------------------------------------------------------------------------


@router.get(
    "/vitals",
    response_model=VitalBoardPublic,
    summary="The 城市体征 board: every indicator at one area, with its value and state",
)
def vitals_board(
    platform: PlatformDep, actor: CurrentActor, area: AreaQ = None
) -> VitalBoardPublic:
    with platform.read() as session:
        board = platform.vitals.board(session, actor, area=area)
    return VitalBoardPublic.of(board)


@router.get(
    "/vitals/definitions",
    response_class=Response,
    responses={200: {"content": {"text/yaml": {}}}},
    summary="The indicator definitions as one YAML document",
)
def vitals_definitions(platform: PlatformDep, actor: CurrentActor) -> Response:
    """The current definition set; its version in `X-Definitions-Version`."""
    with platform.read() as session:
        version, text = platform.vitals.definitions_yaml(session, actor)
    return Response(
        text,
        media_type="text/yaml; charset=utf-8",
        headers={"X-Definitions-Version": str(version)},
    )


@router.put(
    "/vitals/definitions",
    response_model=DefinitionsImported,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {t: {"schema": {"type": "string"}} for t in YAML_TYPES[:2]},
        }
    },
    summary="Import indicator definitions (YAML, at most 1 MB): new codes added, others replaced",
)
async def import_vitals_definitions(
    request: Request, platform: PlatformDep, actor: CurrentActor
) -> DefinitionsImported:
    """The body is a YAML document (`indicators:`) sent as text/yaml or application/x-yaml. One
    refused definition stores nothing (422 bad_indicator_definition naming indicator and field)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in YAML_TYPES:
        raise HTTPException(
            415,
            f"send the definitions as text/yaml or application/x-yaml, not {media or 'nothing'}",
        )
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_DEFINITIONS_BYTES:
            raise HTTPException(413, f"request body exceeds {MAX_DEFINITIONS_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("the definitions must be UTF-8 text", code="invalid_yaml") from None
    if not text.strip():
        raise ValidationFailed("the body is empty: send a YAML document", code="invalid_yaml")

    def run() -> DefinitionsImported:
        with platform.uow() as uow:
            result = platform.vitals.import_definitions(uow.session, actor, text)
        return DefinitionsImported(
            version=result.definitions.version,
            added=list(result.added),
            changed=list(result.changed),
        )

    return await run_in_threadpool(run)


@router.post(
    "/vitals/series/{series}",
    response_model=SeriesStored,
    summary=f"Import a series (area, instant, value), at most {MAX_POINTS:,} points a request",
)
def import_vitals_series(
    series: SeriesName, body: SeriesImport, platform: PlatformDep, actor: CurrentActor
) -> SeriesStored:
    """Values from another system (weather, supply, …) that series indicators read. An unknown
    area is a 422 naming it; nothing is stored then."""
    points = [(p.area, p.at, p.value) for p in body.points]
    with platform.uow() as uow:
        stored = platform.vitals.import_series(uow.session, actor, series, points)
    return SeriesStored(stored=stored)


@router.get(
    "/vitals/{code}/areas",
    response_model=VitalAreasPublic,
    summary="One indicator in the child areas of an area, worst first (drill-down)",
)
def vitals_areas(
    code: IndicatorCode,
    platform: PlatformDep,
    actor: CurrentActor,
    parent: Annotated[
        str | None, Query(max_length=40, description="area code; default: the whole city")
    ] = None,
) -> VitalAreasPublic:
    with platform.read() as session:
        found = platform.vitals.areas(session, actor, code, parent=parent)
    return VitalAreasPublic.of(found)


@router.get(
    "/vitals/{code}/trend",
    response_model=VitalTrendPublic,
    summary="One indicator's values over a window (default: the last 24 h), with baselines",
)
def vitals_trend(
    code: IndicatorCode,
    platform: PlatformDep,
    actor: CurrentActor,
    area: AreaQ = None,
    from_: FromQ = None,
    to: ToQ = None,
) -> VitalTrendPublic:
    """`from` < `to`, at most 400 days apart; either may be left out (`to`: now, `from`: 24 h
    before `to`)."""
    start, end = window(from_, to, platform.clock.now())
    with platform.read() as session:
        trend = platform.vitals.trend(session, actor, code, area=area, start=start, end=end)
    return VitalTrendPublic.of(trend)


def window(
    from_: str | None, to: str | None, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """The asked window, checked: 422 for a bad instant, `from` not before `to`, or more than
    400 days. What was not asked stays None (the service's default)."""
    start = instant(from_, "from") if from_ else None
    end = instant(to, "to") if to else None
    first = start if start is not None else (end or now) - DEFAULT_WINDOW
    last = end if end is not None else now
    if start is not None and end is None and start >= now:
        raise ValidationFailed(
            f"from ({start.isoformat()}) must lie before now ({now.isoformat()}) when to is "
            "left out",
            code="invalid_window",
        )
    if first >= last:
        raise ValidationFailed(
            f"from ({first.isoformat()}) must lie before to ({last.isoformat()})",
            code="invalid_window",
        )
    if last - first > MAX_WINDOW:
        raise ValidationFailed(
            f"the window from {first.isoformat()} to {last.isoformat()} is "
            f"{(last - first).days} days long; at most {MAX_WINDOW.days} days",
            code="window_too_long",
        )
    return start, end
