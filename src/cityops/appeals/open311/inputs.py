"""Open311 input as plain Python: the checks on a POST requests body, a free-text address
matched to an area, and the GET requests parameters."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from cityops.appeals.appeal_types import APPEAL_TYPE_NAMES, AppealType
from cityops.appeals.open311.model import (
    DESCRIPTION_MAX,
    EMAIL_MAX,
    NAME_MAX,
    OPEN311_STATUSES,
    STATUS_MAP,
    Submission,
    parse_w3c,
)
from cityops.cases.public import CaseStatus
from cityops.kernel.errors import ValidationFailed
from cityops.kernel.media import is_media_reference
from cityops.kernel.text import checked_code


def _text(fields: Mapping[str, str], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    return value.strip() or None


def _code(fields: Mapping[str, str], name: str) -> str | None:
    """A field naming a record (service_code, address_id, account_id): refused (400) when it
    holds a control character (kernel/text.py). Free text is cleaned at case intake instead."""
    value = _text(fields, name)
    return None if value is None else checked_code(value, field=name)


def _number(fields: Mapping[str, str], name: str, low: float, high: float) -> float | None:
    raw = _text(fields, name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValidationFailed(f"{name} {raw!r} is not a number", code="invalid_point") from exc
    if not (math.isfinite(value) and low <= value <= high):
        raise ValidationFailed(
            f"{name} {raw!r} must lie between {low:g} and {high:g}", code="invalid_point"
        )
    return value


def _media_url(raw: str | None) -> str | None:
    """The stored-media reference (/media/…) of a media_url: a photo this platform stores, given
    as its reference or as its http(s) URL on this server (the path names the photo). Any other
    address is refused: a case carries only the platform's own photos (kernel.media)."""
    if raw is None:
        return None
    parts = urlsplit(raw)
    absolute = parts.scheme in ("http", "https") and bool(parts.netloc)
    ref = parts.path if absolute and not parts.query and not parts.fragment else raw
    if len(raw) > 2000 or not is_media_reference(ref):
        raise ValidationFailed(
            f"media_url {raw[:80]!r} is not a photo stored by this platform: give the address "
            "of one, /media/<yyyy>/<mm>/<name>.<jpg|png|webp> on this server",
            code="invalid_media_url",
        )
    return ref


_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s.\x00-\x1f\x7f]+$")


def _email(raw: str | None) -> str | None:
    if raw is None:
        return None
    if len(raw) > EMAIL_MAX or not _EMAIL.fullmatch(raw):
        raise ValidationFailed(
            f"email {raw!r} is not an e-mail address such as name@example.com",
            code="invalid_email",
        )
    return raw


def parse_submission(fields: Mapping[str, str], attributes: Mapping[str, str]) -> Submission:
    """Check a POST requests body (`fields` without the api_key, `attributes` from
    attribute[code]=value). Raises ValidationFailed with a code a client can act on."""
    service_code = _code(fields, "service_code")
    if service_code is None:
        raise ValidationFailed("service_code is required", code="service_code_required")
    lat = _number(fields, "lat", -90, 90)
    lon = _number(fields, "long", -180, 180)
    if (lat is None) != (lon is None):
        raise ValidationFailed("give both lat and long, or neither", code="incomplete_point")
    address_string = _text(fields, "address_string")
    address_id = _code(fields, "address_id")
    if lat is None and address_string is None and address_id is None:
        raise ValidationFailed(
            "a location is required: lat and long, address_string or address_id",
            code="location_required",
        )
    description = _text(fields, "description")
    if description is None:
        raise ValidationFailed("description is required", code="description_required")
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(
            f"description is longer than {DESCRIPTION_MAX} characters",
            code="description_too_long",
        )
    appeal_type: AppealType | None = None
    raw_type = (attributes.get("appeal_type") or "").strip()
    if raw_type:
        by_name = {name: t for t, name in APPEAL_TYPE_NAMES.items()}
        try:
            appeal_type = AppealType(raw_type) if raw_type not in by_name else by_name[raw_type]
        except ValueError as exc:
            allowed = ", ".join(t.value for t in AppealType)
            raise ValidationFailed(
                f"attribute[appeal_type] {raw_type!r} is not one of: {allowed}",
                code="invalid_attribute",
            ) from exc
    reporter_name = (attributes.get("reporter_name") or "").strip() or None
    if reporter_name is None:
        parts = (_text(fields, "last_name"), _text(fields, "first_name"))
        reporter_name = "".join(p for p in parts if p) or None  # 姓 + 名
    if reporter_name is not None and len(reporter_name) > NAME_MAX:
        raise ValidationFailed(
            f"the reporter's name is longer than {NAME_MAX} characters", code="invalid_attribute"
        )
    return Submission(
        service_code=service_code,
        description=description,
        lat=lat,
        long=lon,
        address_string=address_string,
        address_id=address_id,
        appeal_type=appeal_type,
        reporter_name=reporter_name,
        phone=_text(fields, "phone"),
        email=_email(_text(fields, "email")),
        media_url=_media_url(_text(fields, "media_url")),
        account_id=_code(fields, "account_id"),
    )


def match_area(address: str, areas: Iterable[tuple[str, str]]) -> str | None:
    """The most specific area named in a free-text address. `areas` are (code, name) with
    hierarchical codes. A name shared by several areas (东园社区 in every street) counts only when
    its parent is named too."""
    listed: Sequence[tuple[str, str]] = list(areas)
    counts: dict[str, int] = {}
    for _code, name in listed:
        counts[name] = counts.get(name, 0) + 1
    named = {code for code, name in listed if name and name in address}
    best: str | None = None
    for code, name in listed:
        if code not in named:
            continue
        unique = counts[name] == 1
        parent_named = any(code.startswith(p) and p != code for p in named)
        if (unique or parent_named) and (best is None or len(code) > len(best)):
            best = code
    return best


# ---- GET requests parameters -----------------------------------------------------------------


@dataclass(frozen=True)
class RequestQuery:
    """GET requests filters; service_request_id overrides the others (as the spec says)."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in (value or "").split(",") if p.strip()))


def parse_request_query(params: Mapping[str, str]) -> RequestQuery:
    statuses = tuple(s.lower() for s in _list(params.get("status")))
    bad = [s for s in statuses if s not in OPEN311_STATUSES]
    if bad:
        raise ValidationFailed(
            f"status must be open or closed (comma separated), not {', '.join(bad)}",
            code="invalid_status",
        )
    start = params.get("start_date")
    end = params.get("end_date")
    return RequestQuery(
        ids=_list(params.get("service_request_id")),
        service_codes=_list(params.get("service_code")),
        statuses=statuses,
        start=parse_w3c(start, "start_date") if start else None,
        end=parse_w3c(end, "end_date") if end else None,
    )


def case_statuses(statuses: Iterable[str]) -> tuple[CaseStatus, ...]:
    """The internal statuses behind Open311 statuses (empty: all)."""
    wanted = set(statuses)
    return tuple(s for s, (o, _d, _n) in STATUS_MAP.items() if o in wanted)
