"""API: sensor alarms (告警) — list, read with history, acknowledge, clear, assign, comment — and
alarm rules (告警规则): list, read with versions, save a new version, switch on and off, export
and import as YAML, backtest over stored data before switching on."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from cityops.sensing.alarms.public import Severity
from cityops.sensing.public import AlarmFilter, AlarmLine, AlarmRecord, StoredRule
from cityops.sensing.rules.public import BacktestResult, rule_to_dict
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession

router = APIRouter(prefix="/api/v1", tags=["alarms"])

AlarmId = Annotated[int, Path(ge=1, le=2**62)]
RuleCode = Annotated[str, Path(min_length=1, max_length=64)]
MAX_YAML_BYTES = 1_000_000


class AlarmPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str = Field(
        description="rule, offline (one device silent), group (many together), area (an "
        "area's alarm raised by another domain, no device: group_key is '<origin>:<key>')"
    )
    rule_code: str
    rule_version: int | None
    device_code: str
    group_key: str
    area_code: str
    gateway_code: str
    severity: str
    title: str
    fault: str
    active: bool
    acked: bool
    acked_by: str
    acked_at: datetime | None
    cleared_at: datetime | None
    first_at: datetime
    last_at: datetime
    count: int = Field(description="how often it came while active (收敛)")
    flapping: bool
    escalation: int
    assignee: str
    members: list[str]
    values: dict[str, float]
    case_id: int | None
    case_status: str = Field(description="the status of the case it opened ('' without one)")


class AlarmLinePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str
    actor: str
    note: str


class AlarmWithHistory(AlarmPublic):
    history: list[AlarmLinePublic]


class AlarmPage(BaseModel):
    total: int
    items: list[AlarmPublic]


class AlarmNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=1000)


class AlarmAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str | None = Field(default=None, max_length=80)


class AlarmComment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=2000)


def _alarm(a: AlarmRecord) -> AlarmPublic:
    return AlarmPublic.model_validate(a)


@router.get("/alarms", response_model=AlarmPage)
def list_alarms(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    active: bool | None = None,
    severity: Severity | None = None,
    area: Annotated[str | None, Query(max_length=40, description="an area code (prefix)")] = None,
    device: Annotated[str | None, Query(max_length=64)] = None,
    kind: Annotated[str | None, Query(max_length=20, pattern="^(rule|offline|group|area)$")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AlarmPage:
    """Alarms, the latest first."""
    filters = AlarmFilter(
        active=active,
        severity=severity.value if severity else None,
        area_prefix=area,
        device_code=device,
        kind=kind,
    )
    items, total = platform.alarms.list_alarms(session, actor, filters, offset=offset, limit=limit)
    return AlarmPage(total=total, items=[_alarm(a) for a in items])


@router.get("/alarms/{alarm_id}", response_model=AlarmWithHistory)
def read_alarm(
    alarm_id: AlarmId, platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> AlarmWithHistory:
    """An alarm with its history (raised, acknowledged, assigned, comments, cleared, case)."""
    found = platform.alarms.get_alarm(session, actor, alarm_id)
    return AlarmWithHistory(
        **_alarm(found.alarm).model_dump(),
        history=[AlarmLinePublic.model_validate(line) for line in found.history],
    )


@router.post("/alarms/{alarm_id}/ack", response_model=AlarmPublic)
def acknowledge_alarm(alarm_id: AlarmId, platform: PlatformDep, actor: CurrentActor) -> AlarmPublic:
    """确认: the alarm stays active until its condition clears; acknowledged, it escalates no
    further."""
    with platform.uow() as uow:
        return _alarm(platform.alarms.acknowledge(uow, actor, alarm_id))


@router.post("/alarms/{alarm_id}/clear", response_model=AlarmPublic)
def clear_alarm(
    alarm_id: AlarmId, platform: PlatformDep, actor: CurrentActor, body: AlarmNote | None = None
) -> AlarmPublic:
    """Clear by hand (人工恢复); 409 alarm_not_active when it is cleared already."""
    with platform.uow() as uow:
        done = platform.alarms.clear_alarm(uow, actor, alarm_id, body.note if body else "")
    return _alarm(done)


@router.post("/alarms/{alarm_id}/assign", response_model=AlarmPublic)
def assign_alarm(
    alarm_id: AlarmId, body: AlarmAssign, platform: PlatformDep, actor: CurrentActor
) -> AlarmPublic:
    with platform.uow() as uow:
        return _alarm(platform.alarms.assign(uow, actor, alarm_id, body.assignee))


@router.post("/alarms/{alarm_id}/comments", response_model=AlarmLinePublic, status_code=201)
def comment_alarm(
    alarm_id: AlarmId, body: AlarmComment, platform: PlatformDep, actor: CurrentActor
) -> AlarmLinePublic:
    with platform.uow() as uow:
        line: AlarmLine = platform.alarms.comment(uow, actor, alarm_id, body.text)
    return AlarmLinePublic.model_validate(line)


# -- rules ------------------------------------------------------------------------------------


class RulePublic(BaseModel):
    code: str
    version: int
    enabled: bool
    updated_at: datetime
    updated_by: str
    body: dict[str, Any] = Field(description="the rule as its YAML mapping (docs/sensing/rules.md)")

    @classmethod
    def of(cls, s: StoredRule) -> RulePublic:
        return cls(
            code=s.rule.code,
            version=s.rule.version,
            enabled=s.rule.enabled,
            updated_at=s.updated_at,
            updated_by=s.updated_by,
            body=rule_to_dict(s.rule),
        )


class RuleVersionPublic(BaseModel):
    version: int
    saved_at: datetime
    saved_by: str
    body: dict[str, Any]


class RuleWithVersions(RulePublic):
    versions: list[RuleVersionPublic]


class RuleSave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: dict[str, Any] = Field(description="the rule as its YAML mapping; its code is the path's")
    expected_version: int | None = Field(
        default=None, ge=0, description="the version edited (0: a new rule); another: 409"
    )


class BacktestAsk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: datetime
    end: datetime
    devices: list[Annotated[str, Field(max_length=64)]] | None = Field(default=None, max_length=500)


class BacktestAlarmPublic(BaseModel):
    device_code: str
    start: datetime
    end: datetime | None
    since: datetime
    peak: float | None
    duration_seconds: float


class BacktestPublic(BaseModel):
    rule_code: str
    version: int
    readings: int
    dropped: int
    count: int
    total_duration_seconds: float
    per_device: dict[str, int]
    alarms: list[BacktestAlarmPublic]

    @classmethod
    def of(cls, r: BacktestResult) -> BacktestPublic:
        return cls(
            rule_code=r.rule.code,
            version=r.rule.version,
            readings=r.readings,
            dropped=r.dropped,
            count=r.count,
            total_duration_seconds=r.total_duration.total_seconds(),
            per_device={k: v.alarms for k, v in r.per_device.items()},
            alarms=[
                BacktestAlarmPublic(
                    device_code=a.device_code,
                    start=a.start,
                    end=a.end,
                    since=a.since,
                    peak=a.peak,
                    duration_seconds=a.duration.total_seconds(),
                )
                for a in r.alarms[:1000]
            ],
        )


@router.get("/alarm-rules", response_model=list[RulePublic])
def list_rules(
    platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> list[RulePublic]:
    return [RulePublic.of(s) for s in platform.alarms.list_rules(session, actor)]


@router.get(
    "/alarm-rules/export",
    responses={200: {"content": {"application/yaml": {}}}},
    response_class=Response,
)
def export_rules(platform: PlatformDep, session: ReadSession, actor: CurrentActor) -> Response:
    """Every rule's current version as one YAML document (`rules:`)."""
    text = platform.alarms.export_rules(session, actor)
    return Response(
        text,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="alarm-rules.yaml"'},
    )


@router.post("/alarm-rules/import", response_model=list[RulePublic])
async def import_rules(request: Request, platform: PlatformDep, actor: CurrentActor) -> Any:
    """A YAML document (`rules:`) as the body: each rule that differs from its stored one is
    saved as its next version; one refused rule stores nothing (422 invalid_rule, with the
    field's path)."""
    raw = await request.body()
    text = raw[:MAX_YAML_BYTES].decode("utf-8", errors="replace")

    def run() -> list[RulePublic]:
        with platform.uow() as uow:
            saved = platform.alarms.import_rules(uow, actor, text)
        return [RulePublic.of(s) for s in saved]

    return await run_in_threadpool(run)


@router.get("/alarm-rules/{code}", response_model=RuleWithVersions)
def read_rule(
    code: RuleCode, platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> RuleWithVersions:
    stored, versions = platform.alarms.get_rule(session, actor, code)
    return RuleWithVersions(
        **RulePublic.of(stored).model_dump(),
        versions=[
            RuleVersionPublic(
                version=v.version,
                saved_at=v.saved_at,
                saved_by=v.saved_by,
                body=rule_to_dict(v.rule),
            )
            for v in versions
        ],
    )


@router.put("/alarm-rules/{code}", response_model=RulePublic)
def save_rule(
    code: RuleCode, body: Annotated[RuleSave, Body()], platform: PlatformDep, actor: CurrentActor
) -> RulePublic:
    """Save the rule as its next version (the history keeps every version)."""
    with platform.uow() as uow:
        saved = platform.alarms.save_rule(
            uow, actor, {**body.body, "code": code}, expected=body.expected_version
        )
    return RulePublic.of(saved)


@router.post("/alarm-rules/{code}/enable", response_model=RulePublic)
def enable_rule(code: RuleCode, platform: PlatformDep, actor: CurrentActor) -> RulePublic:
    with platform.uow() as uow:
        return RulePublic.of(platform.alarms.set_rule_enabled(uow, actor, code, True))


@router.post("/alarm-rules/{code}/disable", response_model=RulePublic)
def disable_rule(code: RuleCode, platform: PlatformDep, actor: CurrentActor) -> RulePublic:
    with platform.uow() as uow:
        return RulePublic.of(platform.alarms.set_rule_enabled(uow, actor, code, False))


@router.post("/alarm-rules/{code}/backtest", response_model=BacktestPublic)
def backtest_rule(
    code: RuleCode,
    body: BacktestAsk,
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
) -> BacktestPublic:
    """What the stored rule (on or off) would have raised over [start, end) on the stored data
    of the devices in its scope (or those named): at most 92 days."""
    result = platform.alarms.backtest_rule(session, actor, code, body.start, body.end, body.devices)
    return BacktestPublic.of(result)
