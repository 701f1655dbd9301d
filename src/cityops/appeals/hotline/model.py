"""The hotline's vocabulary as plain Python: how a call is taken, the operator's command, what
the console gets back, and the checks on what the operator typed. No database, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cityops.appeals.appeal_types import APPEAL_TYPE_NAMES, AppealType
from cityops.appeals.duplicates.public import SimilarCase
from cityops.appeals.knowledge.public import ArticleHit
from cityops.appeals.routing.public import RouteSuggestion
from cityops.cases.public import CaseView
from cityops.cases.public import checked_phone as checked_phone  # the canonical number
from cityops.cases.public import is_mobile as is_mobile
from cityops.kernel.errors import ValidationFailed

TEXT_MIN = 4
TEXT_MAX = 2000
TITLE_HEAD = 40
NAME_MAX = 64
ADDRESS_MAX = 300
# A consultation answered on the spot with no category named by the operator or the article is
# filed under 政策咨询 (the A13 咨询建议 branch of the default responsibility list).
DEFAULT_CONSULTATION_CATEGORY = "A1301"
REPEAT_CALL_NOTE = "重复来电，合并办理"
DIRECT_DISPATCH_NOTE = "热线直派"


class CallMode(StrEnum):
    record = "record"  # 受理: the case waits for 立案 and 派遣
    dispatch = "dispatch"  # 直派: registered and dispatched in the same transaction
    answer = "answer"  # 直接办结: a consultation answered on the spot and closed


@dataclass(frozen=True)
class NewCall:
    """A call as the operator takes it. `merge_into` (a case id) files the call and merges it
    into that open case at once (mode record only)."""

    phone: str | None
    appeal_type: str
    text: str
    mode: str = CallMode.record.value
    category_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    area_code: str | None = None
    address: str | None = None
    caller_name: str | None = None
    department_code: str | None = None  # dispatch: default the responsibility list's unit
    article_code: str | None = None  # answer: the knowledge article answered from
    answer: str | None = None  # answer: the words given (default: the article's answer)
    merge_into: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class CallReceipt:
    mode: CallMode
    case: CaseView
    merged_into_number: str | None = None
    sms: bool = False  # the caller's mobile will receive the case's progress messages


@dataclass(frozen=True)
class CallerCase:
    """One of the caller's earlier appeals, as the operator sees it in the call (not its
    tracking code: that is the citizen's, sent by SMS)."""

    case_id: int
    number: str
    title: str
    status: str
    category_code: str
    category_name: str
    department_code: str | None
    department_name: str | None
    reported_at: datetime
    closed_at: datetime | None
    lon: float | None = None  # where it was (WGS84): the console's map starts at the last one
    lat: float | None = None


@dataclass(frozen=True)
class AssistQuery:
    text: str
    lon: float | None = None
    lat: float | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Assistance:
    """Everything the console shows while the operator types, from one request."""

    suggestions: tuple[RouteSuggestion, ...]  # [] when no routing model is loaded
    model_version: str | None
    similar: tuple[SimilarCase, ...]  # [] without a point
    articles: tuple[ArticleHit, ...]
    caller: tuple[CallerCase, ...]  # [] without a phone


@dataclass(frozen=True)
class ModeRights:
    """Which ways of taking a call this operator has (the console enables its buttons)."""

    record: bool
    dispatch: bool
    answer: bool
    merge: bool


def call_mode(value: str) -> CallMode:
    try:
        return CallMode(value)
    except ValueError:
        names = ", ".join(m.value for m in CallMode)
        raise ValidationFailed(
            f"mode must be one of {names}, not {value!r}", code="invalid_mode"
        ) from None


def appeal_type(value: str) -> AppealType:
    try:
        return AppealType(value)
    except ValueError:
        names = ", ".join(t.value for t in AppealType)
        raise ValidationFailed(
            f"appeal_type must be one of {names}, not {value!r}", code="invalid_appeal_type"
        ) from None


def checked_text(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) < TEXT_MIN:
        raise ValidationFailed(
            f"write down what the caller says (at least {TEXT_MIN} characters)",
            code="text_required",
        )
    if len(text) > TEXT_MAX:
        raise ValidationFailed(f"the text is longer than {TEXT_MAX} characters", code="too_long")
    return text


def case_title(kind: AppealType, text: str) -> str:
    """【咨询】 and the first words of the call, as the portal titles its appeals."""
    head = " ".join(text.split())[:TITLE_HEAD]
    return f"【{APPEAL_TYPE_NAMES[kind]}】{head}"


def caller_case(view: CaseView) -> CallerCase:
    return CallerCase(
        case_id=view.id,
        number=view.number,
        title=view.title,
        status=view.status.value,
        category_code=view.category_code,
        category_name=view.category_name,
        department_code=view.department.code if view.department else None,
        department_name=view.department.name if view.department else None,
        reported_at=view.reported_at,
        closed_at=view.closed_at,
        lon=view.lon,
        lat=view.lat,
    )


def check_fields_for_mode(cmd: NewCall, mode: CallMode) -> None:
    """Fields that belong to another mode are refused rather than silently ignored."""
    wrong: list[str] = []
    if mode is not CallMode.dispatch and cmd.department_code:
        wrong.append("department_code (goes with mode dispatch)")
    if mode is not CallMode.answer and (cmd.article_code or cmd.answer):
        wrong.append("article_code/answer (go with mode answer)")
    if mode is not CallMode.record and cmd.merge_into is not None:
        wrong.append("merge_into (goes with mode record)")
    if wrong:
        raise ValidationFailed(
            f"mode {mode.value} does not take {'; '.join(wrong)}", code="field_not_for_mode"
        )
