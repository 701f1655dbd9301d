"""Case events: past-tense records raised by the workflow and the SLA scan, written to the outbox
in the case's transaction and published after commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cityops.kernel.events import Event


@dataclass(frozen=True, kw_only=True)
class CaseEvent(Event, abstract=True):
    """Base of every case event: which case, and its status after the change."""

    case_id: int
    case_number: str
    status: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseReported(CaseEvent, wire="case.reported", version=1):  # 受理
    source: str
    category_code: str
    area_code: str
    urgency: str
    suggested_department_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseRegistered(CaseEvent, wire="case.registered", version=1):  # 立案
    pass


@dataclass(frozen=True, kw_only=True)
class CaseRejected(CaseEvent, wire="case.rejected", version=1):  # 不予立案
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseCancelled(CaseEvent, wire="case.cancelled", version=1):  # 作废
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseMerged(CaseEvent, wire="case.merged", version=1):  # 合并
    into_case_id: int
    into_case_number: str


@dataclass(frozen=True, kw_only=True)
class CaseDispatched(CaseEvent, wire="case.dispatched", version=1):  # 派遣
    department_id: int
    department_code: str
    as_suggested: bool
    handle_deadline: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseSigned(CaseEvent, wire="case.signed", version=1):  # 签收
    department_code: str


@dataclass(frozen=True, kw_only=True)
class CaseReturned(CaseEvent, wire="case.returned", version=1):  # 回退
    department_code: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseExtensionRequested(CaseEvent, wire="case.extension_requested", version=1):  # 延期申请
    extension_id: int
    amount: float
    unit: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseExtensionDecided(CaseEvent, wire="case.extension_decided", version=1):  # 延期审批
    extension_id: int
    approved: bool
    handle_deadline: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseSuspended(CaseEvent, wire="case.suspended", version=1):  # 挂账
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseResumed(CaseEvent, wire="case.resumed", version=1):
    suspended_seconds: float
    handle_deadline: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseSupervised(CaseEvent, wire="case.supervised", version=1):  # 督办
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseHandled(CaseEvent, wire="case.handled", version=1):  # 办结
    department_code: str
    on_time: bool


@dataclass(frozen=True, kw_only=True)
class CaseVerified(CaseEvent, wire="case.verified", version=1):  # 核查
    passed: bool


@dataclass(frozen=True, kw_only=True)
class CaseReworked(CaseEvent, wire="case.reworked", version=1):  # 返工
    rework_count: int
    department_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseClosed(CaseEvent, wire="case.closed", version=1):  # 结案
    on_time: bool
    self_handled: bool = False
    answered: bool = False  # 直接办结: a consultation answered on the spot


@dataclass(frozen=True, kw_only=True)
class CaseEvaluated(CaseEvent, wire="case.evaluated", version=1):  # 评价/回访
    """A follow-up visit. `contacted` false: the visit did not reach the citizen (no resolved,
    no satisfaction). Events stored before `contacted` was required may lack it, and those
    stored before `actor_user_id` was carried lack that."""

    satisfaction: str | None = None
    contacted: bool | None = None
    resolved: bool | None = None
    handled_at: datetime | None = None  # 办结 as it stood at the visit (a 重办 clears it)
    actor_user_id: int | None = None  # who recorded the visit; None: the portal (the citizen)


@dataclass(frozen=True, kw_only=True)
class CaseReopened(CaseEvent, wire="case.reopened", version=1):  # 重办
    reopen_count: int
    department_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseOverdue(CaseEvent, wire="case.overdue", version=1):  # 超期
    stage: str
    deadline: str


@dataclass(frozen=True, kw_only=True)
class CaseReminded(CaseEvent, wire="case.reminded", version=1):  # 催办 (yellow)
    stage: str
    deadline: str


@dataclass(frozen=True, kw_only=True)
class CaseEscalated(CaseEvent, wire="case.escalated", version=1):  # 升级督办
    stage: str
    overdue_hours: float
