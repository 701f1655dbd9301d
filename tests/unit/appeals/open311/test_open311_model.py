"""The pure Open311 mapping: statuses, dates, windows, submissions, places, updates, documents."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from visits import FMS_UPDATE_STATES

from cityops.appeals.open311 import render
from cityops.appeals.open311.inputs import (
    case_statuses,
    match_area,
    parse_request_query,
    parse_submission,
)
from cityops.appeals.open311.keys import checked_name, key_hash, new_api_key
from cityops.appeals.open311.model import (
    STEP_NAMES,
    AppealType,
    detailed_status,
    open311_status,
    parse_w3c,
    update_from_history,
    w3c,
    window,
)
from cityops.appeals.open311.render import Format
from cityops.cases.public import CaseStatus, HistoryEntry
from cityops.kernel.errors import ValidationFailed

S = CaseStatus


@pytest.mark.parametrize(
    ("status", "open_closed", "detailed"),
    [
        (S.reported, "open", "open"),
        (S.registered, "open", "investigating"),
        (S.dispatched, "open", "action_scheduled"),
        (S.in_progress, "open", "in_progress"),
        (S.suspended, "open", "in_progress"),
        (S.handled, "open", "in_progress"),
        (S.closed, "closed", "fixed"),
        (S.rejected, "closed", "no_further_action"),
        (S.cancelled, "closed", "closed"),
    ],
)
def test_status_mapping(status: CaseStatus, open_closed: str, detailed: str) -> None:
    assert open311_status(status) == open_closed
    assert detailed_status(status) == detailed


def test_a_merged_case_is_a_duplicate() -> None:
    assert detailed_status(S.cancelled, merged=True) == "duplicate"
    assert set(case_statuses(["closed"])) == {S.closed, S.rejected, S.cancelled}
    assert len(case_statuses(["open", "closed"])) == len(CaseStatus)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-11-23T09:00:00+08:00", datetime(2026, 11, 23, 1, tzinfo=UTC)),
        ("2026-11-23T01:00:00Z", datetime(2026, 11, 23, 1, tzinfo=UTC)),
        ("2026-11-22T20:00:00-05:00", datetime(2026, 11, 23, 1, tzinfo=UTC)),
        ("2026-11-23T09:00:00", datetime(2026, 11, 23, 1, tzinfo=UTC)),  # no offset: Shanghai
        ("2026-11-23", datetime(2026, 11, 22, 16, tzinfo=UTC)),
    ],
)
def test_dates_parse_with_any_offset(text: str, utc: datetime) -> None:
    assert parse_w3c(text, "start_date") == utc


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "23/11/2026", ""])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(ValidationFailed, match="start_date"):
        parse_w3c(text, "start_date")


def test_times_are_written_in_shanghai() -> None:
    assert w3c(datetime(2026, 11, 23, 1, tzinfo=UTC)) == "2026-11-23T09:00:00+08:00"
    assert w3c(None) == ""


NOW = datetime(2026, 11, 23, 1, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, (NOW - 90 * DAY, NOW)),
        (NOW - DAY, None, (NOW - DAY, NOW + 89 * DAY)),
        (None, NOW - DAY, (NOW - 91 * DAY, NOW - DAY)),
        (NOW - 3 * DAY, NOW - DAY, (NOW - 3 * DAY, NOW - DAY)),
    ],
)
def test_window_defaults(
    start: datetime | None, end: datetime | None, expected: tuple[datetime, datetime]
) -> None:
    assert window(start, end, NOW, default=90 * DAY, longest=90 * DAY) == expected


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [(NOW, NOW - DAY, "invalid_date_range"), (NOW - 91 * DAY, NOW, "date_range_too_long")],
)
def test_window_refuses(start: datetime, end: datetime, code: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        window(start, end, NOW, default=90 * DAY, longest=90 * DAY)
    assert err.value.code == code


def test_query_lists_and_statuses() -> None:
    q = parse_request_query({"service_request_id": "A, B,A", "status": "Open,closed"})
    assert q.ids == ("A", "B")
    assert q.statuses == ("open", "closed")
    with pytest.raises(ValidationFailed, match="open or closed"):
        parse_request_query({"status": "pending"})


BASE = {"service_code": "E0101", "lat": "30.25", "long": "120.12", "description": "路灯不亮"}
PHOTO = "/media/2026/11/Qm9uam91ci1sYW1wLTE.jpg"


def test_a_submission_reads_names_attributes_and_point() -> None:
    sub = parse_submission(
        {**BASE, "first_name": "三", "last_name": "张", "media_url": f"https://x.cn{PHOTO}"},
        {"appeal_type": "举报"},
    )
    assert (sub.lat, sub.long) == (30.25, 120.12)
    assert sub.reporter_name == "张三"
    assert sub.appeal_type is AppealType.report
    assert sub.media_url == PHOTO  # the stored-media reference the URL names
    assert parse_submission({**BASE, "media_url": PHOTO}, {}).media_url == PHOTO
    named = parse_submission(BASE, {"reporter_name": "李四", "appeal_type": "help"})
    assert named.reporter_name == "李四"
    assert named.appeal_type is AppealType.help


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"service_code": " "}, "service_code_required"),
        ({"lat": "", "long": ""}, "location_required"),
        ({"long": ""}, "incomplete_point"),
        ({"lat": "95"}, "invalid_point"),
        ({"long": "nan"}, "invalid_point"),
        ({"description": ""}, "description_required"),
        ({"description": "x" * 5001}, "description_too_long"),
        ({"media_url": "file:///etc/passwd"}, "invalid_media_url"),
        ({"media_url": "https://x.cn/a.jpg"}, "invalid_media_url"),
        ({"media_url": "javascript:alert(1)"}, "invalid_media_url"),
        ({"media_url": f"https://x.cn{PHOTO}?x=1"}, "invalid_media_url"),
    ],
)
def test_a_bad_submission_is_refused(change: dict[str, str], code: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_submission({**BASE, **change}, {})
    assert err.value.code == code


AREAS = [
    ("330191", "东湖区"),
    ("330191001", "湖滨街道"),
    ("330191001001", "东园社区"),
    ("330191002", "望江街道"),
    ("330191002001", "东园社区"),
]


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("东湖区湖滨街道东园社区3幢", "330191001001"),
        ("望江街道东园社区", "330191002001"),
        ("东园社区3幢", None),  # ambiguous without its street
        ("东湖区某路", "330191"),
        ("火星", None),
    ],
)
def test_match_area(address: str, code: str | None) -> None:
    assert match_area(address, AREAS) == code


def _entry(action: str, to: str, note: str = "") -> HistoryEntry:
    return HistoryEntry(
        id=1,
        seq=2,
        action=action,
        from_status="reported",
        to_status=to,
        actor_user_id=7,
        actor_name="李受理",
        actor_role="operator",
        at=NOW,
        note=note,
    )


def test_updates_name_the_step_and_hide_audit_lines() -> None:
    update = update_from_history("C1", _entry("register", "registered", "符合条件"))
    assert update is not None
    assert update.description == "立案：符合条件"
    assert update.update_id == "C1-2"
    assert update.status == "investigating"
    assert update.external_status_code == "registered"
    assert update.extended_status == "investigating"
    assert "李受理" not in repr(update)
    assert update_from_history("C1", _entry("reveal_contact", "reported")) is None
    assert update_from_history("C1", _entry("overdue", "reported")) is None


@pytest.mark.parametrize(
    ("action", "to", "state"),
    [
        ("report", "reported", "open"),
        ("register", "registered", "investigating"),
        ("reject", "rejected", "no_further_action"),
        ("cancel", "cancelled", "closed"),
        ("merge", "cancelled", "duplicate"),
        ("dispatch", "dispatched", "action_scheduled"),
        ("sign", "in_progress", "in_progress"),
        ("return", "registered", "internal_referral"),
        ("request_extension", "in_progress", "in_progress"),
        ("approve_extension", "in_progress", "in_progress"),
        ("suspend", "suspended", "in_progress"),
        ("resume", "in_progress", "in_progress"),
        ("supervise", "dispatched", "action_scheduled"),
        ("finish", "handled", "in_progress"),  # the unit says done; not verified yet
        ("verify", "in_progress", "in_progress"),  # 返工
        ("verify", "closed", "fixed"),
        ("self_handle", "closed", "fixed"),
        ("answer", "closed", "closed"),  # a consultation: nothing was to be fixed
        ("evaluate", "closed", "fixed"),
        ("evaluate", "in_progress", "reopen"),  # 重办 after 不满意
    ],
)
def test_updates_carry_fixmystreet_states(action: str, to: str, state: str) -> None:
    update = update_from_history("C1", _entry(action, to, "说明"))
    assert update is not None
    assert update.status == state
    assert update.status in FMS_UPDATE_STATES
    assert update.external_status_code == to


def test_every_step_and_status_maps_to_a_fixmystreet_state() -> None:
    for action in (*STEP_NAMES, "unknown_step"):
        for status in CaseStatus:
            update = update_from_history("C1", _entry(action, status.value))
            assert update is not None
            assert update.status in FMS_UPDATE_STATES


def test_a_visit_that_did_not_reach_the_citizen_is_not_published() -> None:
    entry = _entry("evaluate", "closed", "无人接听")
    missed = dataclasses.replace(entry, data={"contacted": False})
    assert update_from_history("C1", missed) is None
    rated = dataclasses.replace(missed, data={"contacted": True, "satisfaction": "satisfied"})
    assert update_from_history("C1", rated) is not None


def test_xml_documents_escape_and_keep_chinese() -> None:
    body = render.errors(Format.xml, 400, 'bad <b> & "井盖"\x01')
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(body)
    assert root.tag == "errors"
    assert root[0].tag == "error"
    assert root[0].findtext("code") == "400"
    assert root[0].findtext("description") == 'bad <b> & "井盖"'
    assert json.loads(render.errors(Format.json, 403, "x")) == [{"code": 403, "description": "x"}]


def test_keys_are_random_and_hashed() -> None:
    a, b = new_api_key(), new_api_key()
    assert a != b
    assert a.startswith("o311_")
    assert len(key_hash(a)) == 64
    assert checked_name(" partner.app-1 ") == "partner.app-1"
    with pytest.raises(ValidationFailed):
        checked_name("Partner App")
