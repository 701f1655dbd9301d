"""The hotline's pure rules: which ways of taking a call each role has (read from the engine's
transition table), fields that belong to another mode, phones, texts and titles."""

from __future__ import annotations

import pytest

from cityops.appeals.appeal_types import AppealType
from cityops.appeals.hotline.model import (
    CallMode,
    ModeRights,
    NewCall,
    call_mode,
    case_title,
    check_fields_for_mode,
    checked_phone,
    checked_text,
    is_mobile,
)
from cityops.appeals.hotline.policy import check_take_call, mode_rights
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied, ValidationFailed


def actor(*roles: Role) -> Actor:
    return Actor(user_id=1, username="u", roles=frozenset(roles))


@pytest.mark.parametrize(
    ("roles", "rights"),
    [
        ((Role.operator,), ModeRights(record=True, dispatch=False, answer=True, merge=False)),
        ((Role.dispatcher,), ModeRights(record=True, dispatch=True, answer=False, merge=True)),
        (
            (Role.operator, Role.dispatcher),
            ModeRights(record=True, dispatch=True, answer=True, merge=True),
        ),
        ((Role.shift_leader,), ModeRights(record=True, dispatch=False, answer=False, merge=False)),
        ((Role.admin,), ModeRights(record=True, dispatch=False, answer=False, merge=False)),
        ((Role.handler,), ModeRights(record=False, dispatch=False, answer=False, merge=False)),
        ((), ModeRights(record=False, dispatch=False, answer=False, merge=False)),
    ],
)
def test_mode_rights_follow_the_transition_table(
    roles: tuple[Role, ...], rights: ModeRights
) -> None:
    assert mode_rights(actor(*roles)) == rights


@pytest.mark.parametrize(
    ("roles", "mode", "merging", "code"),
    [
        ((Role.operator,), CallMode.dispatch, False, "cannot_direct_dispatch"),
        ((Role.operator,), CallMode.record, True, "cannot_merge"),
        ((Role.dispatcher,), CallMode.answer, False, "cannot_answer"),
        ((Role.handler,), CallMode.record, False, "cannot_use_hotline"),
        ((Role.inspector,), CallMode.record, False, "cannot_use_hotline"),
    ],
)
def test_take_call_refuses_what_the_role_cannot_do(
    roles: tuple[Role, ...], mode: CallMode, merging: bool, code: str
) -> None:
    with pytest.raises(PermissionDenied) as err:
        check_take_call(actor(*roles), mode, merging=merging)
    assert err.value.code == code


def test_fields_of_another_mode_are_refused() -> None:
    base = {"phone": None, "appeal_type": "help", "text": "路灯不亮了"}
    check_fields_for_mode(NewCall(**base, department_code="CGJ"), CallMode.dispatch)
    check_fields_for_mode(NewCall(**base, article_code="KB001"), CallMode.answer)
    check_fields_for_mode(NewCall(**base, merge_into=3), CallMode.record)
    for cmd, mode in [
        (NewCall(**base, department_code="CGJ"), CallMode.record),
        (NewCall(**base, answer="去网点办"), CallMode.dispatch),
        (NewCall(**base, merge_into=3), CallMode.answer),
    ]:
        with pytest.raises(ValidationFailed) as err:
            check_fields_for_mode(cmd, mode)
        assert err.value.code == "field_not_for_mode"


def test_phones_texts_modes_and_titles() -> None:
    assert checked_phone(" 138 1234 5678 ") == "13812345678"
    assert checked_phone("0571-87654321") == "057187654321"
    assert checked_phone("138-1234-5678") == "13812345678"  # as the portal takes it
    assert checked_phone("") is None
    with pytest.raises(ValidationFailed):
        checked_phone("12345")
    assert is_mobile("13812345678")
    assert not is_mobile("0571-87654321")
    with pytest.raises(ValidationFailed):
        checked_text("短")
    with pytest.raises(ValidationFailed):
        call_mode("teleport")
    assert case_title(AppealType.consultation, "  公积金  怎么提取 ") == "【咨询】公积金 怎么提取"
