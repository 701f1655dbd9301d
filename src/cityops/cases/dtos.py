"""What the case engine takes and gives: commands, filters and read records (plain dataclasses,
re-exported by `cases.public`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from cityops.cases.model import CaseSource, CaseStatus, Satisfaction
from cityops.taxonomy.public import Urgency
from cityops.worktime.public import SlaState, Stage, TimeLimit


@dataclass(frozen=True)
class NewCase:
    """Intake (受理) of a case: a place (lon/lat, or an area code), a category and the report."""

    source: CaseSource
    title: str
    description: str
    category_code: str
    lon: float | None = None
    lat: float | None = None
    crs: str = "wgs84"  # wgs84 | gcj02
    area_code: str | None = None
    address: str | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None
    reporter_user_id: int | None = None
    urgency: Urgency | None = None  # overrides the category's urgency
    photos: tuple[str, ...] = ()
    # lon/lat only stand for `area_code` (a place named in an address, or chosen from a list):
    # the area decides the case's area chain, the point is kept as approximate
    approximate: bool = False


@dataclass(frozen=True)
class ActionCommand:
    """The body of a workflow action. `version` is the case version the actor saw."""

    version: int
    note: str = ""
    department_code: str | None = None  # dispatch (default: the suggested department)
    reason: str | None = None  # reject, cancel, return, suspend, request_extension
    hours: float | None = None  # request_extension, in working hours
    amount: float | None = None  # request_extension, with `unit`
    unit: str | None = None  # working_hours | working_days | calendar_hours
    passed: bool | None = None  # verify
    contacted: bool | None = None  # evaluate
    resolved: bool | None = None  # evaluate
    satisfaction: Satisfaction | None = None  # evaluate
    reopen: bool = False  # evaluate, unsatisfied only
    into_case_id: int | None = None  # merge
    photos: tuple[str, ...] = ()
    answer: str | None = None  # answer: what the caller was told
    article_code: str | None = None  # answer: the knowledge-base article it came from


@dataclass(frozen=True)
class CaseFilter:
    """List filters; empty fields do not filter. Area and category match by code prefix."""

    statuses: tuple[CaseStatus, ...] = ()
    category_code: str | None = None
    area_code: str | None = None
    department_code: str | None = None
    source: CaseSource | None = None
    sources: tuple[CaseSource, ...] = ()  # any of these (a public feed's published sources)
    overdue: bool | None = None
    reported_from: datetime | None = None
    reported_to: datetime | None = None
    q: str | None = None
    # (min_lon, min_lat, max_lon, max_lat), WGS-84: only cases with a point inside
    bbox: tuple[float, float, float, float] | None = None
    # the workbench's queues (None: no filter; False: the cases without the mark)
    visit_due: bool | None = None  # 待回访: model.needs_visit
    extension_pending: bool | None = None  # a 延期申请 awaits the shift leader's decision
    returned: bool | None = None  # 回退 at least once (return_count > 0)
    reworked: bool | None = None  # 返工 after a failed 核查, or 重办 after an unsatisfied 回访
    # red: overdue (超期, or past the stage deadline before the SLA scan marked it); yellow:
    # about to be: the scan sent its 催办 reminder (the clock turned yellow) and it is not red
    sla: SlaState | None = None
    created_by_user_id: int | None = None  # the cases this user took in or reported (上报)


class CaseSortKey(StrEnum):
    """The columns a case list sorts by (each ends on the case id, so pages are stable)."""

    reported_at = "reported_at"
    stage_deadline = "stage_deadline"
    number = "number"
    status = "status"
    category = "category"  # by category code
    urgency = "urgency"  # normal < urgent < critical


@dataclass(frozen=True)
class CaseOrder:
    """A list order: a sort key, ascending unless `descending`. None elsewhere means the
    workbench's order: overdue first, then the nearest stage deadline."""

    key: CaseSortKey
    descending: bool = False


@dataclass(frozen=True)
class CaseListStamp:
    """What changes whenever a filtered list changes: how many cases it holds, the latest step
    among them and the highest id (a new case). One aggregate; a poll compares it."""

    total: int
    last_update: datetime | None
    last_id: int | None


@dataclass(frozen=True)
class AreaInfo:
    code: str
    name: str


@dataclass(frozen=True)
class CaseArea:
    district: AreaInfo | None = None
    street: AreaInfo | None = None
    community: AreaInfo | None = None
    grid: AreaInfo | None = None


@dataclass(frozen=True)
class DepartmentInfo:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class CaseView:
    """A case as one actor may see it (phone masked unless revealed)."""

    id: int
    number: str
    tracking_code: str
    source: CaseSource
    title: str
    description: str
    category_code: str
    category_name: str
    kind: str
    urgency: str
    status: CaseStatus
    version: int
    lon: float | None
    lat: float | None
    address: str | None
    area: CaseArea
    area_code: str
    department: DepartmentInfo | None
    suggested_department: DepartmentInfo | None
    reporter_name: str | None
    reporter_phone: str | None
    reported_at: datetime
    stage: Stage | None
    stage_started_at: datetime | None
    stage_deadline: datetime | None
    deadlines: dict[Stage, datetime]
    sla_state: SlaState | None
    overdue: bool
    supervised: bool
    allowed_actions: tuple[str, ...]  # CaseAction names and those of the case's own type
    created_by: str | None
    created_by_user_id: int | None
    pending_extension: TimeLimit | None = None
    return_count: int = 0
    rework_count: int = 0
    extension_count: int = 0
    reopen_count: int = 0
    merged_into_id: int | None = None
    handled_on_time: bool | None = None
    closed_on_time: bool | None = None
    satisfaction: Satisfaction | None = None
    registered_at: datetime | None = None
    dispatched_at: datetime | None = None
    signed_at: datetime | None = None
    handled_at: datetime | None = None
    closed_at: datetime | None = None
    evaluated_at: datetime | None = None
    contact_revealed: bool = False
    # whether this actor may ask for the contact in clear (policy.may_reveal_contact)
    may_reveal_contact: bool = False
    updated_at: datetime | None = None  # the last step (intake or a workflow action)
    # the case's stage limits, from which CaseService.expected_by counts the citizen's time
    limits: dict[Stage, TimeLimit] = field(default_factory=dict)


@dataclass(frozen=True)
class CasePage:
    items: list[CaseView]
    total: int
    page: int
    size: int


@dataclass(frozen=True)
class HistoryEntry:
    """One immutable line of a case's history (who, role, when, from, to, note, attachments)."""

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
    data: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[str, ...] = ()
    correlation_id: str | None = None  # the request the step's chain began with
    causation_id: str | None = None  # that request, or the event the step was taken on


@dataclass(frozen=True)
class CaseCounts:
    """Indicator counts for one group (department or area) over cases reported in a window."""

    group_code: str
    group_name: str
    reported: int
    registered: int
    dispatched: int
    accurately_dispatched: int
    due_to_handle: int
    handled_on_time: int
    due_to_close: int
    closed: int
    closed_on_time: int
    reworked: int
    extended: int
