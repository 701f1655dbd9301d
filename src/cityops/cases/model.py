"""The case domain as plain Python: statuses, sources, actions, the state the workflow reads and
changes, and the intake rules. The actions themselves are declared in cases/workflow/. No
database, no HTTP."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from cityops.kernel.actor import Actor
from cityops.kernel.errors import ValidationFailed
from cityops.kernel.text import clean_text
from cityops.worktime.public import Stage, TimeLimit


class CaseStatus(StrEnum):
    reported = "reported"  # 受理
    registered = "registered"  # 立案
    rejected = "rejected"  # 不予立案
    cancelled = "cancelled"  # 作废 (or merged 合并)
    dispatched = "dispatched"  # 已派遣
    in_progress = "in_progress"  # 处置中
    suspended = "suspended"  # 挂账
    handled = "handled"  # 已办结 (awaiting 核查)
    closed = "closed"  # 结案


class CaseSource(StrEnum):
    hotline = "hotline"  # 12345 热线
    web = "web"  # 网站/APP
    open311 = "open311"
    inspector = "inspector"  # 监督员/网格员上报
    sensor = "sensor"  # 物联感知
    transfer = "transfer"  # 上级转办


class CaseAction(StrEnum):
    register = "register"  # 立案
    reject = "reject"  # 不予立案
    cancel = "cancel"  # 作废
    merge = "merge"  # 合并
    dispatch = "dispatch"  # 派遣
    sign = "sign"  # 签收
    return_ = "return"  # 回退
    request_extension = "request_extension"  # 延期申请
    approve_extension = "approve_extension"  # 延期批准
    deny_extension = "deny_extension"  # 延期驳回
    suspend = "suspend"  # 挂账
    resume = "resume"  # 恢复
    supervise = "supervise"  # 督办
    finish = "finish"  # 办结反馈
    verify = "verify"  # 核查
    evaluate = "evaluate"  # 评价/回访
    self_handle = "self_handle"  # 自行处置
    answer = "answer"  # 直接办结: a consultation answered on the spot


class Satisfaction(StrEnum):
    satisfied = "satisfied"  # 满意
    basically_satisfied = "basically_satisfied"  # 基本满意
    unsatisfied = "unsatisfied"  # 不满意


OPEN_STATUSES = frozenset(
    {
        CaseStatus.reported,
        CaseStatus.registered,
        CaseStatus.dispatched,
        CaseStatus.in_progress,
        CaseStatus.suspended,
        CaseStatus.handled,
    }
)

# The sources where a citizen reported the case: someone to call back in a 回访. The inspector's
# own reports (上报, often self-handled) and the sensors' alarms have no citizen to ask.
VISIT_SOURCES = frozenset(
    {CaseSource.hotline, CaseSource.web, CaseSource.open311, CaseSource.transfer}
)


def needs_visit(
    *,
    status: CaseStatus,
    source: CaseSource,
    reporter_phone: str | None,
    evaluated_at: datetime | None,
    merged_into_id: int | None,
) -> bool:
    """The case waits for a 回访 (待回访): closed, reported by a citizen (VISIT_SOURCES) who left
    a phone to call, not yet evaluated (a visit that did not reach the citizen leaves it waiting)
    and not merged into another case. queries.needs_visit_clause is the same rule in SQL."""
    return (
        status is CaseStatus.closed
        and source in VISIT_SOURCES
        and bool(reporter_phone)
        and evaluated_at is None
        and merged_into_id is None
    )


# The taxonomy branch of consultations (A13 咨询建议): only a case filed under it may be answered
# on the spot (`answer`). The appeal type (咨询) is the intake channel's record, not the engine's.
CONSULTATION_CATEGORY = "A13"


def is_consultation(category_code: str) -> bool:
    """The category lies under A13 咨询建议 (the code or one of its children)."""
    return category_code.startswith(CONSULTATION_CATEGORY)


# The stage whose clock runs in each status (None: no clock).
STAGE_OF_STATUS: Mapping[CaseStatus, Stage | None] = {
    CaseStatus.reported: Stage.register,
    CaseStatus.registered: Stage.dispatch,
    CaseStatus.dispatched: Stage.handle,
    CaseStatus.in_progress: Stage.handle,
    CaseStatus.suspended: Stage.handle,
    CaseStatus.handled: Stage.verify,
    CaseStatus.rejected: None,
    CaseStatus.cancelled: None,
    CaseStatus.closed: None,
}


class WorkCalendar(Protocol):
    """The part of the working calendar the workflow needs."""

    def add(self, start: datetime, limit: TimeLimit) -> datetime: ...

    def working_seconds_between(self, start: datetime, end: datetime) -> float: ...


@dataclass(frozen=True)
class DepartmentTarget:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class CaseState:
    """Everything the workflow reads or changes on a case."""

    status: CaseStatus
    source: CaseSource
    reported_at: datetime
    category_code: str = ""
    area_code: str = ""  # the smallest area of the place (it never changes)
    limits: Mapping[Stage, TimeLimit] = field(default_factory=dict)
    deadlines: Mapping[Stage, datetime] = field(default_factory=dict)
    created_by_user_id: int | None = None
    department_id: int | None = None
    department_code: str | None = None
    department_name: str | None = None
    first_department_id: int | None = None
    suggested_department_id: int | None = None
    stage: Stage | None = Stage.register
    stage_started_at: datetime | None = None
    stage_deadline: datetime | None = None
    overdue: bool = False
    overdue_at: datetime | None = None
    supervised: bool = False
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None
    return_count: int = 0
    rework_count: int = 0
    extension_count: int = 0
    reopen_count: int = 0
    merged_into_id: int | None = None
    suspended_at: datetime | None = None
    suspended_seconds: float = 0.0
    pending_extension: TimeLimit | None = None
    handled_on_time: bool | None = None
    closed_on_time: bool | None = None
    satisfaction: Satisfaction | None = None
    evaluated_at: datetime | None = None
    registered_at: datetime | None = None
    dispatched_at: datetime | None = None
    signed_at: datetime | None = None
    handled_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class ActionInput:
    """The fields an action may carry, already resolved (e.g. the department looked up)."""

    passed: bool | None = None
    reopen: bool = False
    satisfaction: Satisfaction | None = None
    contacted: bool | None = None  # evaluate: the visit reached the citizen
    resolved: bool | None = None  # evaluate: the citizen says the matter is solved
    department: DepartmentTarget | None = None
    extension: TimeLimit | None = None
    merge_into_id: int | None = None
    merge_into_number: str | None = None


# ---- who may act ---------------------------------------------------------------------------


def in_actor_areas(actor: Actor, area_code: str) -> bool:
    """The place (its smallest area code) lies in the actor's areas; True for an actor bound to
    no area (the city-wide roles, integrations, citizens)."""
    if not actor.area_codes:
        return True
    return any(area_code.startswith(code) for code in actor.area_codes)


# ---- intake rules --------------------------------------------------------------------------

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
# The canonical phone number (as stored and looked up): ASCII digits only, no spaces, dashes or
# brackets — a mainland mobile (13x–19x), or a landline with its area code, optionally with an
# extension after a dash (01012345678-123).
PHONE_RE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{9,11}(-[0-9]{1,6})?)$")
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
_PHONE_CHARS = str.maketrans("０１２３４５６７８９－（）\u3000", "0123456789-() ")
_EXTENSION = re.compile(r"^(0[0-9]{2,3})-([0-9]{7,8})-([0-9]{1,6})$")


def normalized_phone(phone: str | None) -> str | None:
    """A phone number as it is stored and looked up: full-width digits read as ASCII, spaces,
    dashes and brackets dropped (0571-87654321 → 057187654321, 138 1234 5678 → 13812345678),
    an extension kept after one dash (010-12345678-123 → 01012345678-123). None when empty.
    Not checked: see valid_phone."""
    text = "".join((phone or "").translate(_PHONE_CHARS).split())
    text = text.replace("(", "").replace(")", "")
    if not text:
        return None
    ext = _EXTENSION.fullmatch(text)
    if ext is not None:
        return f"{ext[1]}{ext[2]}-{ext[3]}"
    return text.replace("-", "")


def valid_phone(phone: str) -> bool:
    """A canonical (normalized_phone) mobile or landline number."""
    return PHONE_RE.fullmatch(phone) is not None


def is_mobile(phone: str) -> bool:
    """A mainland mobile number (1[3-9] + 9 digits): one that can take an SMS."""
    return MOBILE_RE.fullmatch(phone) is not None


def checked_phone(phone: str | None) -> str | None:
    """The reporter's phone in its canonical form (normalized_phone); ValidationFailed unless
    a mobile or landline number."""
    number = normalized_phone(phone)
    if number is not None and not valid_phone(number):
        raise ValidationFailed(
            f"phone {(phone or '').strip()!r} is neither a mainland mobile (1[3-9] + 9 digits) "
            "nor a landline such as 0571-87654321",
            code="invalid_phone",
        )
    return number


def checked_text(title: str | None, description: str | None) -> tuple[str, str]:
    """Title and description cleaned (kernel/text.py: no control characters, NFC) and stripped;
    ValidationFailed when empty or too long."""
    title = clean_text(title or "").strip()
    description = clean_text(description or "").strip()
    if not title:
        raise ValidationFailed("title must not be empty", code="title_required")
    if len(title) > TITLE_MAX:
        raise ValidationFailed(
            f"title is longer than {TITLE_MAX} characters", code="title_too_long"
        )
    if not description:
        raise ValidationFailed("description must not be empty", code="description_required")
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(
            f"description is longer than {DESCRIPTION_MAX} characters",
            code="description_too_long",
        )
    return title, description
