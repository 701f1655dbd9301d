"""The portal's vocabulary as plain Python: appeal types, the citizen's commands and the public
records the portal gives back. No database, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cityops.appeals.appeal_types import APPEAL_TYPE_NAMES, AppealType
from cityops.cases.public import PhotoUpload, Satisfaction, is_mobile, normalized_phone
from cityops.kernel.errors import ValidationFailed

DESCRIPTION_MIN = 5
DESCRIPTION_MAX = 2000
COMMENT_MAX = 500
ADDRESS_MAX = 300


@dataclass(frozen=True)
class NewAppeal:
    """A citizen's appeal (诉求). `category_code=None` lets the system decide."""

    appeal_type: str
    description: str
    category_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    address: str | None = None
    phone: str | None = None
    anonymous: bool = False
    photos: tuple[PhotoUpload, ...] = ()
    area_code: str | None = None  # 所在街道/社区 chosen from the list, instead of a point


@dataclass(frozen=True)
class AppealReceipt:
    """What the citizen gets back: the tracking code and what happens next."""

    tracking_code: str
    case_number: str
    appeal_type: AppealType
    category_code: str
    category_name: str
    category_by: str  # citizen | system
    expected_by: datetime | None
    photos: tuple[str, ...]
    place: str = ""  # the areas the case lies in, e.g. "下城区 石桥街道"
    approximate: bool = False  # placed by a named street/community, not a point


@dataclass(frozen=True)
class AppealRecord:
    """The appeal record of a case taken by another channel (hotline, Open311), so its
    tracking code works on the portal like a portal appeal's (查询进度, rating)."""

    case_id: int
    tracking_code: str
    appeal_type: str
    anonymous: bool
    category_by: str  # citizen | system | operator


@dataclass(frozen=True)
class NewRating:
    """满意 / 基本满意 / 不满意 and an optional comment; `client` is the address the rating came
    from (kept only as a keyed hash)."""

    satisfaction: str
    comment: str = ""
    client: str | None = None


@dataclass(frozen=True)
class TimelineStep:
    """One step a citizen sees: `step` is a stable key the page words (received, registered,
    dispatched, handling, result, closed, …); `unit` names the department where it matters."""

    step: str
    at: datetime
    unit: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class PublicCase:
    """A case as anyone holding its tracking code may see it: no names, no phone numbers."""

    tracking_code: str
    case_number: str
    appeal_type: AppealType | None
    category_name: str
    description: str
    address: str | None
    street: str | None
    status: str
    phase: str  # received | processing | done | closed_without_handling
    reported_at: datetime
    expected_by: datetime | None
    unit: str | None
    photos: tuple[str, ...]
    timeline: tuple[TimelineStep, ...]
    can_rate: bool
    satisfaction: Satisfaction | None
    rating_comment: str | None = None
    merged_into: str | None = None  # the number of the case it was merged into (合并办理)
    approximate: bool = False  # the place was named (street/community), not pinned


@dataclass(frozen=True)
class BoardRow:
    code: str
    name: str
    reported: int
    closed: int
    on_time_rate: float | None  # closed on time / due to close
    rated: int
    satisfaction_rate: float | None  # (满意 + w × 基本满意) / rated, the month's 回访


@dataclass(frozen=True)
class Board:
    month: str  # YYYY-MM in Shanghai
    reported: int
    closed: int
    on_time_rate: float | None
    satisfaction_rate: float | None
    by_department: tuple[BoardRow, ...] = field(default_factory=tuple)
    by_street: tuple[BoardRow, ...] = field(default_factory=tuple)


def appeal_type(value: str) -> AppealType:
    try:
        return AppealType(value)
    except ValueError as exc:
        names = ", ".join(t.value for t in AppealType)
        raise ValidationFailed(
            f"appeal_type must be one of {names}, not {value!r}", code="invalid_appeal_type"
        ) from exc


def checked_mobile(phone: str | None, anonymous: bool) -> str | None:
    """The contact mobile, or None when the citizen stays anonymous (匿名)."""
    if anonymous:
        return None
    phone = normalized_phone(phone)
    if not phone:
        raise ValidationFailed(
            "give a mainland mobile number so we can tell you about your case, or choose anonymous",
            code="phone_required",
        )
    if not is_mobile(phone):
        raise ValidationFailed(
            "the phone must be a mainland mobile number: 11 digits starting with 13–19",
            code="invalid_phone",
        )
    return phone


def checked_description(text: str) -> str:
    text = (text or "").strip()
    if len(text) < DESCRIPTION_MIN:
        raise ValidationFailed(
            f"describe the matter in at least {DESCRIPTION_MIN} characters",
            code="description_required",
        )
    if len(text) > DESCRIPTION_MAX:
        raise ValidationFailed(
            f"the description is longer than {DESCRIPTION_MAX} characters", code="too_long"
        )
    return text


def checked_satisfaction(value: str) -> Satisfaction:
    try:
        return Satisfaction(value)
    except ValueError as exc:
        names = ", ".join(s.value for s in Satisfaction)
        raise ValidationFailed(
            f"satisfaction must be one of {names}, not {value!r}", code="invalid_satisfaction"
        ) from exc


def case_title(kind: AppealType, description: str) -> str:
    """A short title for the case list: 【投诉】 and the first words of the description."""
    head = " ".join(description.split())[:40]
    return f"【{APPEAL_TYPE_NAMES[kind]}】{head}"
