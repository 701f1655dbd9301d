"""Pure portal rules: photo checks by content, the public timeline, the words of notifications
and the citizen's input checks."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from cityops.appeals.notify.messages import CaseFacts, message_for
from cityops.appeals.notify.service import mask_address
from cityops.appeals.portal.model import PhotoUpload, checked_description, checked_mobile
from cityops.appeals.portal.photos import PhotoStore, check_photo, check_photos, sniff
from cityops.appeals.portal.tracking import public_timeline
from cityops.cases.public import (
    CaseClosed,
    CaseDispatched,
    CaseExtensionDecided,
    CaseRegistered,
    CaseReopened,
    CaseReported,
    CaseResumed,
    CaseSigned,
    CaseSupervised,
    CaseSuspended,
    HistoryEntry,
)
from cityops.kernel.errors import ValidationFailed

T = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10), (1, 2, 3)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "ctype"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_images_are_recognised_by_content_whatever_their_name(fmt: str, ctype: str) -> None:
    data = _image(fmt)
    assert sniff(data) == ctype
    assert check_photo(PhotoUpload("renamed.txt", data)).content_type == ctype


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"GIF89a" + b"\0" * 20, "not_an_image"),
        (b"%PDF-1.4 fake", "not_an_image"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "not_an_image"),
        (b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024), "photo_too_large"),
    ],
)
def test_bad_photos_are_refused_naming_the_file(data: bytes, code: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_photo(PhotoUpload("C:\\Users\\me\\x.jpg", data))
    assert err.value.code == code
    assert "'x.jpg'" in err.value.message


def test_at_most_three_photos() -> None:
    with pytest.raises(ValidationFailed) as err:
        check_photos(tuple(PhotoUpload(f"{i}.png", _image("PNG")) for i in range(4)))
    assert err.value.code == "too_many_photos"


@pytest.mark.parametrize("rel", ["../x.jpg", "2026/11/../../etc.jpg", "2026/11/a.exe", "x"])
def test_photo_store_refuses_names_it_did_not_make(rel: str, tmp_path: object) -> None:
    assert PhotoStore(tmp_path).path_of(rel) is None  # type: ignore[arg-type]


def _entry(seq: int, action: str, to: str, **data: object) -> HistoryEntry:
    return HistoryEntry(
        id=seq,
        seq=seq,
        action=action,
        from_status=None,
        to_status=to,
        actor_user_id=7,
        actor_name="王五",
        actor_role="handler",
        at=T + timedelta(hours=seq),
        note="内部备注" if action != "finish" else "已修复",
        data=dict(data),
    )


def test_public_timeline_has_plain_steps_and_no_staff() -> None:
    steps = public_timeline(
        [
            _entry(1, "report", "reported"),
            _entry(2, "register", "registered"),
            _entry(3, "supervise", "registered"),
            _entry(4, "reveal_contact", "registered"),
            _entry(5, "dispatch", "dispatched", department_name="水务局"),
            _entry(6, "sign", "in_progress"),
            _entry(7, "finish", "handled"),
            _entry(8, "verify", "in_progress", passed=False),
            _entry(9, "finish", "handled"),
            _entry(10, "verify", "closed", passed=True),
            _entry(11, "evaluate", "closed", contacted=False),  # the visit missed the citizen
            _entry(12, "evaluate", "in_progress", satisfaction="unsatisfied", contacted=True),
        ]
    )
    assert [s.step for s in steps] == [
        "received",
        "registered",
        "dispatched",
        "handling",
        "result",
        "reworking",
        "result",
        "closed",
        "reopened",
    ]
    assert steps[2].unit == "水务局"
    assert steps[4].text == "已修复"
    assert all("王五" not in repr(s) and "内部备注" not in repr(s) for s in steps)


def test_messages_name_the_unit_and_the_code() -> None:
    facts = CaseFacts(tracking_code="AbC123xyz", unit="水务局", expected_by=None)
    base = {"occurred_at": T, "case_id": 1, "case_number": "C1"}
    words = message_for(
        CaseDispatched(**base, department_id=1, department_code="SWJ", as_suggested=True), facts
    )
    assert words is not None
    assert "水务局" in words[1]
    assert "AbC123xyz" in words[1]
    assert message_for(CaseRegistered(**base), facts) is not None
    assert message_for(CaseSupervised(**base), facts) is None


def test_signing_an_extension_and_a_suspension_are_told_too() -> None:
    due = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai
    facts = CaseFacts(tracking_code="AbC123xyz", unit="水务局", expected_by=due)
    base = {"occurred_at": T, "case_id": 1, "case_number": "C1"}
    cases = {
        "签收": (CaseSigned(**base, department_code="SWJ"), "水务局已签收您的诉求，正在办理"),
        "延期": (
            CaseExtensionDecided(**base, extension_id=1, approved=True),
            "您的诉求办理时间已延长，预计11月30日18:00前办结",
        ),
        "挂账": (CaseSuspended(**base, reason="待资金"), "您的诉求暂缓办理，恢复办理时会再告知您"),
        "恢复": (
            CaseResumed(**base, suspended_seconds=3600.0),
            "您的诉求已恢复办理，预计11月30日18:00前办结",
        ),
    }
    for name, (event, body) in cases.items():
        words = message_for(event, facts)
        assert words is not None, name
        assert words[1] == f"【城市运行】{body}。查询码：AbC123xyz"
        shared = message_for(event, facts, merged=True)
        assert shared is not None, name
        assert "合并办理" in shared[1]
    denied = CaseExtensionDecided(**base, extension_id=1, approved=False)
    assert message_for(denied, facts) is None  # nothing changes for the citizen
    assert message_for(denied, facts, merged=True) is None


@pytest.mark.parametrize("merged", [False, True])
def test_a_reopened_case_says_where_it_went(merged: bool) -> None:
    facts = CaseFacts(tracking_code="AbC123xyz", unit="水务局", expected_by=None)
    base = {"occurred_at": T, "case_id": 1, "case_number": "C1", "reopen_count": 1}
    to_unit = message_for(
        CaseReopened(**base, status="in_progress", department_code="SWJ"), facts, merged=merged
    )
    to_dispatch = message_for(
        CaseReopened(**base, status="registered", department_code=""), facts, merged=merged
    )
    assert to_unit is not None
    assert to_dispatch is not None
    assert "重新交由水务局办理" in to_unit[1]
    assert "重新立案，正在分派" in to_dispatch[1]  # no unit holds it: a dispatcher picks one


def test_a_merged_reporter_hears_the_shared_case_in_its_own_words() -> None:
    facts = CaseFacts(tracking_code="OwnCode99", unit="水务局", expected_by=None)
    base = {"occurred_at": T, "case_id": 1, "case_number": "C1"}
    closed = CaseClosed(**base, on_time=True)
    own = message_for(closed, facts)
    shared = message_for(closed, facts, merged=True)
    assert own is not None
    assert shared is not None
    assert "欢迎评价" in own[1]
    assert "欢迎评价" not in shared[1]  # the rating belongs to the case it was merged into
    assert "合并办理" in shared[1]
    assert shared[1].endswith("查询码：OwnCode99")
    reported = CaseReported(
        **base, source="web", category_code="E9001", area_code="330191", urgency="normal"
    )
    assert message_for(reported, facts, merged=True) is None
    assert message_for(CaseSupervised(**base), facts, merged=True) is None


@pytest.mark.parametrize(
    ("phone", "anonymous", "expect"),
    [
        ("138 1234 5678", False, "13812345678"),
        ("", True, None),
        ("13812345678", True, None),
    ],
)
def test_mobile_or_anonymous(phone: str, anonymous: bool, expect: str | None) -> None:
    assert checked_mobile(phone, anonymous) == expect


@pytest.mark.parametrize("phone", ["", "12812345678", "0571-87654321", "1381234567x"])
def test_invalid_mobiles_are_refused(phone: str) -> None:
    with pytest.raises(ValidationFailed):
        checked_mobile(phone, False)


def test_description_is_kept_verbatim_and_bounded() -> None:
    assert checked_description("  <b>灯</b>坏了  ") == "<b>灯</b>坏了"
    with pytest.raises(ValidationFailed):
        checked_description("灯")


def test_addresses_are_masked() -> None:
    assert mask_address("sms", "13812345678") == "138****5678"
    assert mask_address("email", "zhang@example.cn") == "z***@example.cn"
