"""Open311 GeoReport v2 as plain Python: taxonomy category → service, case status → open/closed
plus a FixMyStreet-style detailed state, case → service_request, history step → update, W3C
dates and windows. Input checks live in inputs.py. No database, no HTTP."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from cityops.appeals.appeal_types import APPEAL_TYPE_NAMES, AppealType
from cityops.appeals.open311.publication import published_photo, published_point
from cityops.cases.public import CaseSource, CaseStatus, CaseView, HistoryEntry, Stage
from cityops.kernel.clock import SHANGHAI, check_day_range, to_local
from cityops.kernel.errors import ValidationFailed
from cityops.kernel.masking import mask_text

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-01T00:00:00+08:00"
MAX_RESULTS = 1000  # the most requests or updates one GET returns
REQUEST_WINDOW = timedelta(days=90)  # default and longest window of GET requests
UPDATE_WINDOW = timedelta(days=7)  # default window of GET servicerequestupdates
UPDATE_MAX_WINDOW = timedelta(days=90)
UPDATE_LOOKBACK = timedelta(days=365)  # updates are listed for cases reported this long before
DESCRIPTION_MAX = 5000
NAME_MAX = 60
EMAIL_MAX = 200

KIND_NAMES = {"component": "部件", "event": "事件", "appeal": "诉求"}


# Internal status → (Open311 status, FixMyStreet-style detailed state, Chinese name).
STATUS_MAP: Mapping[CaseStatus, tuple[str, str, str]] = {
    CaseStatus.reported: ("open", "open", "已受理"),
    CaseStatus.registered: ("open", "investigating", "已立案"),
    CaseStatus.dispatched: ("open", "action_scheduled", "已派遣"),
    CaseStatus.in_progress: ("open", "in_progress", "处置中"),
    CaseStatus.suspended: ("open", "in_progress", "挂账"),
    CaseStatus.handled: ("open", "in_progress", "已办结待核查"),
    CaseStatus.closed: ("closed", "fixed", "已结案"),
    CaseStatus.rejected: ("closed", "no_further_action", "不予立案"),
    CaseStatus.cancelled: ("closed", "closed", "已作废"),
}
OPEN311_STATUSES = ("open", "closed")
# The states of an update in FixMyStreet's extension (mySociety open311-adapter,
# Open311::Endpoint::Service::Request::Update::mySociety).
UPDATE_STATES = (
    "open",
    "closed",
    "fixed",
    "in_progress",
    "planned",
    "action_scheduled",
    "investigating",
    "duplicate",
    "not_councils_responsibility",
    "no_further_action",
    "internal_referral",
    "reopen",
    "for_triage",
)
# A step whose meaning is more than the status it leads to.
UPDATE_STATE_OF_ACTION: Mapping[str, str] = {
    "merge": "duplicate",  # 合并: handled as another case
    "return": "internal_referral",  # 回退: the unit hands it back to be sent to another
    "answer": "closed",  # 直接办结: a consultation answered, nothing was to be fixed
}

# History action → the Chinese step name shown in updates.
STEP_NAMES: Mapping[str, str] = {
    "report": "受理",
    "register": "立案",
    "reject": "不予立案",
    "cancel": "作废",
    "merge": "合并",
    "dispatch": "派遣",
    "sign": "签收",
    "return": "回退",
    "request_extension": "延期申请",
    "approve_extension": "延期批准",
    "deny_extension": "延期驳回",
    "suspend": "挂账",
    "resume": "恢复处置",
    "supervise": "督办",
    "finish": "办结反馈",
    "verify": "核查",
    "evaluate": "回访评价",
    "self_handle": "自行处置",
    "answer": "直接办结",
}
# History lines that are not public steps of the case (audit lines, internal SLA marks 超时/催办/
# 升级督办): never published.
PRIVATE_STEPS = frozenset({"reveal_contact", "overdue", "remind", "escalate"})


class CategoryLike(Protocol):
    """The part of a taxonomy category a service is made from."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def filing_condition(self) -> str: ...  # 立案条件


@dataclass(frozen=True)
class Service:
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


@dataclass(frozen=True)
class AttributeValue:
    key: str
    name: str


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string | number | datetime | text | singlevaluelist | multivaluelist
    required: bool
    description: str
    order: int
    datatype_description: str = ""
    variable: bool = True
    values: tuple[AttributeValue, ...] = ()


@dataclass(frozen=True)
class ServiceDefinition:
    service_code: str
    attributes: tuple[Attribute, ...]


@dataclass(frozen=True)
class ServiceRequest:
    """One `request` element of GET requests (no personal data)."""

    service_request_id: str
    status: str
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str
    address: str
    address_id: str
    zipcode: str
    lat: float | None
    long: float | None
    media_url: str
    extended_attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestUpdate:
    """One `request_update` of GET servicerequestupdates (FixMyStreet's extension): `status`
    one of UPDATE_STATES, `external_status_code` the case status the step led to (ours),
    `extended_status` the request's detailed state then (kept for earlier clients)."""

    update_id: str
    service_request_id: str
    status: str
    external_status_code: str
    extended_status: str
    updated_datetime: str
    description: str
    media_url: str


@dataclass(frozen=True)
class Submission:
    """A checked POST requests body."""

    service_code: str
    description: str
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    appeal_type: AppealType | None = None
    reporter_name: str | None = None
    phone: str | None = None
    email: str | None = None
    media_url: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class Receipt:
    """What POST requests returns: the case number, a notice and the tracking token."""

    service_request_id: str
    service_notice: str
    account_id: str | None
    token: str


# ---- services --------------------------------------------------------------------------------


def service_from_category(category: CategoryLike, names: Mapping[str, str]) -> Service:
    """A leaf category as an Open311 service; `names` maps codes to names (for 大类/小类)."""
    group = names.get(category.code[:3], "")
    parents = [names[c] for c in (category.code[:3], category.code[:5]) if c in names]
    parents = [p for p in dict.fromkeys(parents) if p != category.name]
    keywords = [*parents, KIND_NAMES.get(str(category.kind), str(category.kind))]
    return Service(
        service_code=category.code,
        service_name=category.name,
        description=category.filing_condition,
        metadata=True,
        type="realtime",
        keywords=",".join(keywords),
        group=group,
    )


def service_definition(service_code: str) -> ServiceDefinition:
    """Every service takes the same attributes: the appeal type and the reporter's name."""
    return ServiceDefinition(
        service_code=service_code,
        attributes=(
            Attribute(
                code="appeal_type",
                datatype="singlevaluelist",
                required=False,
                description="诉求类型 appeal type",
                order=1,
                datatype_description="one of the keys; complaint (投诉) when left out",
                values=tuple(AttributeValue(t.value, APPEAL_TYPE_NAMES[t]) for t in AppealType),
            ),
            Attribute(
                code="reporter_name",
                datatype="string",
                required=False,
                description="反映人姓名 reporter's name (never published)",
                order=2,
                datatype_description=f"at most {NAME_MAX} characters",
            ),
        ),
    )


# ---- statuses, requests, updates -------------------------------------------------------------


def open311_status(status: CaseStatus) -> str:
    """open while the case is alive; closed once closed, rejected or cancelled."""
    return STATUS_MAP[status][0]


def detailed_status(status: CaseStatus, *, merged: bool = False) -> str:
    """The FixMyStreet-style state: open, investigating, action_scheduled, in_progress, fixed,
    no_further_action, duplicate, closed."""
    if status is CaseStatus.cancelled and merged:
        return "duplicate"
    return STATUS_MAP[status][1]


def update_status(action: str, status: CaseStatus) -> str:
    """The FixMyStreet state of an update: the step's own meaning where it has one (合并 →
    duplicate, 回退 → internal_referral, 直接办结 → closed, 重办 after an unsatisfied 回访 →
    reopen), else the state of the status it leads to (see STATUS_MAP). A unit's 办结反馈
    (handled) stays in_progress: the case is fixed only once the city has verified it."""
    if action == "evaluate" and status is not CaseStatus.closed:
        return "reopen"
    return UPDATE_STATE_OF_ACTION.get(action) or detailed_status(status)


def w3c(value: datetime | None) -> str:
    """W3C / ISO 8601 in Asia/Shanghai, e.g. 2026-11-23T09:00:00+08:00 ('' for None)."""
    return to_local(value).isoformat(timespec="seconds") if value is not None else ""


def parse_w3c(value: str, name: str) -> datetime:
    """A W3C date or date-time with any offset (a date alone, or no offset: Asia/Shanghai)."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValidationFailed(
            f"{name} {value!r} is not a W3C date-time such as 2026-11-23T09:00:00+08:00",
            code="invalid_date",
        ) from exc
    check_day_range(parsed, name)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=SHANGHAI)


def window(
    start: datetime | None,
    end: datetime | None,
    now: datetime,
    *,
    default: timedelta,
    longest: timedelta,
) -> tuple[datetime, datetime]:
    """[start, end] (both included) from optional bounds: the `default` span ending now (or
    at `end`, or from `start`); ValidationFailed when start is after end or the span is longer
    than `longest`."""
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None
        start = end - default
    if end is None:
        end = start + default
    if start > end:
        raise ValidationFailed("start_date is after end_date", code="invalid_date_range")
    if end - start > longest:
        raise ValidationFailed(
            f"start_date and end_date may not span more than {longest.days} days",
            code="date_range_too_long",
        )
    return start, end


def _updated_at(case: CaseView) -> datetime:
    """When the case last changed: its last step (a 回访, a reopening, a 回退… included)."""
    stamps = [
        case.updated_at,
        case.reported_at,
        case.registered_at,
        case.dispatched_at,
        case.signed_at,
        case.handled_at,
        case.closed_at,
        case.evaluated_at,
    ]
    return max(s for s in stamps if s is not None)


def request_from_case(
    case: CaseView, *, media_url: str = "", merged_into: CaseView | None = None
) -> ServiceRequest:
    """A case as a public service_request: no reporter name, phone or e-mail, and those that
    the free text holds are masked (kernel.masking.mask_text); the point as its source's
    publication policy shows it (publication.py: rounded for citizen appeals) and `media_url`
    the stored reference of a photo that policy publishes (the caller reads it). A case merged
    into another (`merged_into`, 合并办理) shares that case's outcome: status, detailed status,
    agency and expected time are the other case's; case_status stays its own."""
    handling = merged_into or case
    status = open311_status(handling.status)
    name = STATUS_MAP[handling.status][2]
    dept = handling.department or handling.suggested_department
    expected = handling.deadlines.get(Stage.close) if status == "open" else None
    street = case.area.street.name if case.area.street else ""
    district = case.area.district.name if case.area.district else ""
    updated = max(_updated_at(c) for c in (case, handling))
    merged = handling.merged_into_id is not None
    extended = {
        "detailed_status": detailed_status(handling.status, merged=merged),
        "case_status": case.status.value,
        "case_status_name": STATUS_MAP[case.status][2],
        "source": case.source.value,
        "district": district,
        "street": street,
    }
    if merged_into is not None:
        extended["merged_into"] = merged_into.number
    names = (case.reporter_name,)
    notes = name if merged_into is None else f"已合并至 {merged_into.number} 办理：{name}"
    lat, lon = published_point(case.source, case.lat, case.lon)
    return ServiceRequest(
        service_request_id=case.number,
        status=status,
        status_notes=mask_text(notes, names=names),
        service_name=case.category_name,
        service_code=case.category_code,
        description=mask_text(case.description, names=names),
        agency_responsible=dept.name if dept else "",
        service_notice="",
        requested_datetime=w3c(case.reported_at),
        updated_datetime=w3c(updated),
        expected_datetime=w3c(expected),
        address=mask_text(case.address or "", names=names) or district + street,
        address_id=case.area_code,
        zipcode="",
        lat=lat,
        long=lon,
        media_url=media_url,
        extended_attributes=extended,
    )


def update_from_history(
    case_number: str,
    entry: HistoryEntry,
    *,
    via: str | None = None,
    names: Iterable[str | None] = (),
    source: CaseSource | None = None,
) -> RequestUpdate | None:
    """One history step as an update (None for audit-only lines). `via`: the number of the case
    this one was merged into, whose step `entry` is (published on this case too). Personal data
    in the note (phones, e-mail, ID numbers, `names`) is masked. `media_url`: the stored
    reference of the step's photo if the publication policy of `source` (the published case's
    source) shows it, else ''."""
    if entry.action in PRIVATE_STEPS:
        return None
    if entry.action == "evaluate" and (entry.data or {}).get("contacted") is False:
        return None  # a 回访 that did not reach the citizen: an internal attempt
    try:
        status = CaseStatus(entry.to_status or "")
    except ValueError:
        return None
    step = STEP_NAMES.get(entry.action, entry.action)
    if via is not None:
        step = f"合并办理（{via}）{step}"
    note = entry.note.strip()
    if entry.action == "answer":  # a consultation answered on the spot: the answer is the news
        note = str((entry.data or {}).get("answer") or note)
    seq = f"{entry.seq}" if via is None else f"{via}-{entry.seq}"
    return RequestUpdate(
        update_id=f"{case_number}-{seq}",
        service_request_id=case_number,
        status=update_status(entry.action, status),
        external_status_code=status.value,
        extended_status=detailed_status(status, merged=entry.action == "merge"),
        updated_datetime=w3c(entry.at),
        description=f"{step}：{mask_text(note, names=names)}" if note else step,
        media_url=published_photo(source, entry.action, entry.attachments) if source else "",
    )


def notice(case_number: str, expected: datetime | None) -> str:
    """The service_notice of a new request (Chinese, with the expected closing time)."""
    text = f"您的诉求已受理，编号 {case_number}。"
    if expected is not None:
        text += f"预计在 {to_local(expected):%Y-%m-%d %H:%M} 前办结。"
    return text


# ---- a submitted request ---------------------------------------------------------------------


def title_of(sub: Submission, service_name: str) -> str:
    """The case title: appeal type and service, e.g. "投诉 · 路灯不亮"."""
    kind = APPEAL_TYPE_NAMES[sub.appeal_type or AppealType.complaint]
    return f"{kind} · {service_name}"[:200]
