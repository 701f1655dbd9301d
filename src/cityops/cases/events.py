"""Case events: past-tense records raised by the workflow and the SLA scan, written to the outbox
in the case's transaction and published after commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cityops.kernel.events import Event


@dataclass(frozen=True, kw_only=True)
class CaseEvent(Event):
    """Base of every case event: which case, and its status after the change."""

    case_id: int
    case_number: str
    status: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseReported(CaseEvent):  # 受理
    source: str
    category_code: str
    area_code: str
    urgency: str
    suggested_department_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseRegistered(CaseEvent):  # 立案
    pass


@dataclass(frozen=True, kw_only=True)
class CaseRejected(CaseEvent):  # 不予立案
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseCancelled(CaseEvent):  # 作废
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseMerged(CaseEvent):  # 合并
    into_case_id: int
    into_case_number: str


@dataclass(frozen=True, kw_only=True)
class CaseDispatched(CaseEvent):  # 派遣
    department_id: int
    department_code: str
    as_suggested: bool
    handle_deadline: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseSigned(CaseEvent):  # 签收
    department_code: str


@dataclass(frozen=True, kw_only=True)
class CaseReturned(CaseEvent):  # 回退
    department_code: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseExtensionRequested(CaseEvent):  # 延期申请
    extension_id: int
    amount: float
    unit: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseExtensionDecided(CaseEvent):  # 延期审批
    extension_id: int
    approved: bool
    handle_deadline: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseSuspended(CaseEvent):  # 挂账
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseResumed(CaseEvent):
    suspended_seconds: float
    handle_deadline: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseSupervised(CaseEvent):  # 督办
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseHandled(CaseEvent):  # 办结
    department_code: str
    on_time: bool


@dataclass(frozen=True, kw_only=True)
class CaseVerified(CaseEvent):  # 核查
    passed: bool


@dataclass(frozen=True, kw_only=True)
class CaseReworked(CaseEvent):  # 返工
    rework_count: int
    department_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseClosed(CaseEvent):  # 结案
    on_time: bool
    self_handled: bool = False
    answered: bool = False  # 直接办结: a consultation answered on the spot


@dataclass(frozen=True, kw_only=True)
class CaseEvaluated(CaseEvent):  # 评价/回访
    """A follow-up visit. `contacted` false: the visit did not reach the citizen (no resolved,
    no satisfaction). Events stored before `contacted` was required may lack it."""

    satisfaction: str | None = None
    contacted: bool | None = None
    resolved: bool | None = None
    handled_at: datetime | None = None  # 办结 as it stood at the visit (a 重办 clears it)


@dataclass(frozen=True, kw_only=True)
class CaseReopened(CaseEvent):  # 重办
    reopen_count: int
    department_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseOverdue(CaseEvent):  # 超期
    stage: str
    deadline: str


@dataclass(frozen=True, kw_only=True)
class CaseReminded(CaseEvent):  # 催办 (yellow)
    stage: str
    deadline: str


@dataclass(frozen=True, kw_only=True)
class CaseEscalated(CaseEvent):  # 升级督办
    stage: str
    overdue_hours: float
