"""What other parts of cityops may use of the case engine: the service, its commands and read
records, the workflow vocabulary and the events."""

from __future__ import annotations

from cityops.cases.dtos import (
    ActionCommand,
    AreaInfo,
    CaseArea,
    CaseCounts,
    CaseFilter,
    CasePage,
    CaseView,
    DepartmentInfo,
    HistoryEntry,
    NewCase,
)
from cityops.cases.engine import PreparedAction
from cityops.cases.events import (
    CaseCancelled,
    CaseClosed,
    CaseDispatched,
    CaseEscalated,
    CaseEvaluated,
    CaseEvent,
    CaseExtensionDecided,
    CaseExtensionRequested,
    CaseHandled,
    CaseMerged,
    CaseOverdue,
    CaseRegistered,
    CaseRejected,
    CaseReminded,
    CaseReopened,
    CaseReported,
    CaseResumed,
    CaseReturned,
    CaseReworked,
    CaseSigned,
    CaseSupervised,
    CaseSuspended,
    CaseVerified,
)
from cityops.cases.export import csv_chunks, xlsx_bytes
from cityops.cases.feeds import MAX_HOPS as MERGE_HOPS
from cityops.cases.feeds import CaseStep, MergedCase, StepCase, StepWindow
from cityops.cases.intake import PreparedCase
from cityops.cases.model import (
    CONSULTATION_CATEGORY,
    OPEN_STATUSES,
    CaseAction,
    CaseSource,
    CaseStatus,
    Satisfaction,
    checked_phone,
    is_consultation,
    is_mobile,
    normalized_phone,
    valid_phone,
)
from cityops.cases.rows import CaseRecord
from cityops.cases.scoping import scoped_case_ids
from cityops.cases.service import MAX_PAGE_SIZE, CaseService
from cityops.cases.workflow.registry import TRANSITIONS, WORKFLOW, Workflow
from cityops.cases.workflow.spec import ActionBody, ActionSpec, FormField
from cityops.cases.workflow.types import CaseType, CaseTypes
from cityops.taxonomy.public import Urgency
from cityops.worktime.public import SlaState, Stage

__all__ = [
    "CONSULTATION_CATEGORY",
    "MAX_PAGE_SIZE",
    "MERGE_HOPS",
    "OPEN_STATUSES",
    "TRANSITIONS",
    "WORKFLOW",
    "ActionBody",
    "ActionCommand",
    "ActionSpec",
    "AreaInfo",
    "CaseAction",
    "CaseArea",
    "CaseCancelled",
    "CaseClosed",
    "CaseCounts",
    "CaseDispatched",
    "CaseEscalated",
    "CaseEvaluated",
    "CaseEvent",
    "CaseExtensionDecided",
    "CaseExtensionRequested",
    "CaseFilter",
    "CaseHandled",
    "CaseMerged",
    "CaseOverdue",
    "CasePage",
    "CaseRecord",
    "CaseRegistered",
    "CaseRejected",
    "CaseReminded",
    "CaseReopened",
    "CaseReported",
    "CaseResumed",
    "CaseReturned",
    "CaseReworked",
    "CaseService",
    "CaseSigned",
    "CaseSource",
    "CaseStatus",
    "CaseStep",
    "CaseSupervised",
    "CaseSuspended",
    "CaseType",
    "CaseTypes",
    "CaseVerified",
    "CaseView",
    "DepartmentInfo",
    "FormField",
    "HistoryEntry",
    "MergedCase",
    "NewCase",
    "PreparedAction",
    "PreparedCase",
    "Satisfaction",
    "SlaState",
    "Stage",
    "StepCase",
    "StepWindow",
    "Urgency",
    "Workflow",
    "checked_phone",
    "csv_chunks",
    "is_consultation",
    "is_mobile",
    "normalized_phone",
    "scoped_case_ids",
    "valid_phone",
    "xlsx_bytes",
]
