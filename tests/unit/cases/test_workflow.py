"""The transition table: every action from every status is either allowed (and lands where the
issue's table says) or an InvalidTransition that names the actions allowed now; then the special
rules: rework, reopen, return, extensions, suspension, supervision, self-handling, deadlines."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cityops.cases.lifecycle import apply, initial_deadlines
from cityops.cases.model import (
    ActionInput,
    CaseAction,
    CaseSource,
    CaseState,
    CaseStatus,
    DepartmentTarget,
    Satisfaction,
    checked_phone,
    checked_text,
)
from cityops.cases.workflow.registry import WORKFLOW
from cityops.kernel.clock import SHANGHAI
from cityops.kernel.errors import InvalidTransition, ValidationFailed
from cityops.worktime.calendar import WorkingCalendar
from cityops.worktime.limits import LimitUnit, Stage, TimeLimit

A, S = CaseAction, CaseStatus
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
CAL = WorkingCalendar()
ROADS = DepartmentTarget(id=7, code="ROADS", name="市政")

# Written out from the table, not derived from the code under test.
EXPECTED: dict[CaseAction, tuple[set[CaseStatus], CaseStatus | None]] = {
    A.register: ({S.reported}, S.registered),
    A.reject: ({S.reported}, S.rejected),
    A.cancel: ({S.reported, S.registered}, S.cancelled),
    A.merge: ({S.reported, S.registered}, S.cancelled),
    A.dispatch: ({S.registered}, S.dispatched),
    A.sign: ({S.dispatched}, S.in_progress),
    A.return_: ({S.dispatched, S.in_progress}, S.registered),
    A.request_extension: ({S.in_progress}, None),
    A.suspend: ({S.in_progress}, S.suspended),
    A.resume: ({S.suspended}, S.in_progress),
    A.supervise: (
        {S.reported, S.registered, S.dispatched, S.in_progress, S.suspended, S.handled},
        None,
    ),
    A.finish: ({S.in_progress}, S.handled),
    A.verify: ({S.handled}, S.closed),
    A.evaluate: ({S.closed}, None),
    A.self_handle: ({S.reported}, S.closed),
}
LIMITS = {
    Stage.register: TimeLimit(1, LimitUnit.working_hours),
    Stage.dispatch: TimeLimit(1, LimitUnit.working_hours),
    Stage.handle: TimeLimit(2, LimitUnit.working_days),
    Stage.verify: TimeLimit(4, LimitUnit.working_hours),
    Stage.close: TimeLimit(5, LimitUnit.working_days),
}


def make_state(status: CaseStatus, **kw: object) -> CaseState:
    base: dict[str, object] = {
        "status": status,
        "source": CaseSource.inspector,
        "reported_at": NOW - timedelta(hours=1),
        "limits": LIMITS,
        "deadlines": {Stage.handle: NOW + timedelta(days=2), Stage.close: NOW + timedelta(days=5)},
        "department_id": ROADS.id,
        "stage_started_at": NOW - timedelta(hours=1),
        "suspended_at": NOW - timedelta(hours=1) if status is S.suspended else None,
    }
    base.update(kw)
    return CaseState(**base)  # type: ignore[arg-type]


def inputs_for(action: CaseAction) -> ActionInput:
    return ActionInput(
        passed=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.satisfied,
        department=ROADS,
        extension=TimeLimit(4, LimitUnit.working_hours),
        merge_into_id=99,
    )


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("action", list(EXPECTED))
def test_every_action_from_every_status(action: CaseAction, status: CaseStatus) -> None:
    sources, target = EXPECTED[action]
    state = make_state(status)
    if status in sources:
        after = apply(state, action, inputs_for(action), now=NOW, calendar=CAL)
        assert after.status == (target or status)
    else:
        with pytest.raises(InvalidTransition) as err:
            apply(state, action, inputs_for(action), now=NOW, calendar=CAL)
        allowed = [str(a) for a in WORKFLOW.actions_now(state)]
        assert err.value.details["allowed"] == allowed
        assert f"cannot {action.value}" in err.value.message
        assert status.value in err.value.message


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("action", [A.approve_extension, A.deny_extension])
def test_extension_decisions_need_a_pending_request(action: CaseAction, status: CaseStatus) -> None:
    pending = make_state(status, pending_extension=TimeLimit(8, LimitUnit.working_hours))
    if status is S.in_progress:
        after = apply(pending, action, ActionInput(), now=NOW, calendar=CAL)
        assert after.status is S.in_progress
        assert after.pending_extension is None
    else:
        with pytest.raises(InvalidTransition):
            WORKFLOW.check_transition(pending, action)
    with pytest.raises(InvalidTransition):
        WORKFLOW.check_transition(make_state(status), action)


def test_a_second_extension_request_waits_for_the_first_decision() -> None:
    pending = make_state(S.in_progress, pending_extension=TimeLimit(8, LimitUnit.working_hours))
    with pytest.raises(InvalidTransition) as err:
        WORKFLOW.check_transition(pending, A.request_extension)
    assert set(err.value.details["allowed"]) >= {"approve_extension", "deny_extension"}
    assert err.value.code == "extension_pending"
    assert "an extension request (8 working_hours) is already pending" in err.value.message
    assert "in_progress" not in err.value.message


@pytest.mark.parametrize(
    ("state", "action", "code", "words"),
    [
        (make_state(S.in_progress), A.approve_extension, "no_pending_extension", "to approve"),
        (make_state(S.in_progress), A.deny_extension, "no_pending_extension", "to deny"),
        (make_state(S.closed, evaluated_at=NOW), A.evaluate, "already_evaluated", "evaluated"),
        (
            make_state(S.reported, source=CaseSource.hotline),
            A.self_handle,
            "not_an_inspector_report",
            "hotline case",
        ),
        (make_state(S.registered), A.finish, "invalid_transition", "a case that is registered"),
    ],
)
def test_a_refusal_names_the_rule(
    state: CaseState, action: CaseAction, code: str, words: str
) -> None:
    with pytest.raises(InvalidTransition) as err:
        WORKFLOW.check_transition(state, action)
    assert err.value.code == code
    assert words in err.value.message


def test_evaluate_once_and_self_handle_only_for_inspector_reports() -> None:
    assert A.evaluate not in WORKFLOW.actions_now(make_state(S.closed, evaluated_at=NOW))
    assert A.self_handle not in WORKFLOW.actions_now(
        make_state(S.reported, source=CaseSource.hotline)
    )
    assert A.self_handle in WORKFLOW.actions_now(make_state(S.reported))


def test_actions_now_lists_the_table_in_order() -> None:
    assert WORKFLOW.actions_now(make_state(S.in_progress)) == [
        A.return_,
        A.request_extension,
        A.suspend,
        A.supervise,
        A.finish,
    ]
    assert WORKFLOW.actions_now(make_state(S.rejected)) == []


PARKS = DepartmentTarget(id=8, code="PARKS", name="园林")


def test_initial_deadlines_chain_the_stages_in_working_time() -> None:
    # Monday 10:00 Shanghai; register 1 wh → 11:00, dispatch 1 wh → 12:00 (lunch follows),
    # handle 2 wd → Wednesday 12:00, verify 4 wh → Wednesday 17:00, close 5 wd → a week later.
    d = initial_deadlines(NOW, LIMITS, CAL)
    local = {k: v.astimezone(NOW.tzinfo) for k, v in d.items()}
    assert local[Stage.register] == NOW.replace(hour=11)
    assert local[Stage.dispatch] == NOW.replace(hour=12)
    assert local[Stage.handle] == (NOW + timedelta(days=2)).replace(hour=12)
    assert local[Stage.verify] == (NOW + timedelta(days=2)).replace(hour=17)
    assert local[Stage.close] == (NOW + timedelta(days=9)).replace(hour=17)


def test_initial_deadlines_without_close_limit_use_the_verify_deadline() -> None:
    limits = {k: v for k, v in LIMITS.items() if k is not Stage.close}
    d = initial_deadlines(NOW, limits, CAL)
    assert d[Stage.close] == d[Stage.verify]


def test_register_starts_the_dispatch_clock() -> None:
    after = apply(
        make_state(S.reported, stage=Stage.register),
        A.register,
        ActionInput(),
        now=NOW,
        calendar=CAL,
    )
    assert after.stage is Stage.dispatch
    assert after.stage_started_at == NOW
    assert after.stage_deadline == NOW + timedelta(hours=1)
    assert after.registered_at == NOW


def test_dispatch_needs_a_department_and_keeps_the_first_one() -> None:
    registered = make_state(S.registered, department_id=None, stage=Stage.dispatch)
    with pytest.raises(ValidationFailed) as err:
        apply(registered, A.dispatch, ActionInput(), now=NOW, calendar=CAL)
    assert err.value.code == "department_required"
    first = apply(registered, A.dispatch, ActionInput(department=ROADS), now=NOW, calendar=CAL)
    assert (first.department_id, first.first_department_id) == (ROADS.id, ROADS.id)
    assert first.stage is Stage.handle
    assert first.deadlines[Stage.handle] == CAL.add(NOW, LIMITS[Stage.handle])
    returned = apply(first, A.return_, ActionInput(), now=NOW, calendar=CAL)
    assert returned.status is S.registered
    assert returned.department_id is None
    assert returned.return_count == 1
    assert returned.stage is Stage.dispatch
    again = apply(returned, A.dispatch, ActionInput(department=PARKS), now=NOW, calendar=CAL)
    assert (again.department_id, again.first_department_id) == (PARKS.id, ROADS.id)


def test_failed_verification_is_rework_with_a_fresh_handling_period() -> None:
    handled = make_state(S.handled, stage=Stage.verify, handled_at=NOW, handled_on_time=True)
    later = NOW + timedelta(days=1)
    after = apply(handled, A.verify, ActionInput(passed=False), now=later, calendar=CAL)
    assert after.status is S.in_progress
    assert after.rework_count == 1
    assert after.stage is Stage.handle
    assert after.stage_deadline == CAL.add(later, LIMITS[Stage.handle])
    with pytest.raises(ValidationFailed):
        apply(handled, A.verify, ActionInput(), now=later, calendar=CAL)


def test_passed_verification_closes_and_records_on_time() -> None:
    handled = make_state(S.handled, stage=Stage.verify)
    closed = apply(handled, A.verify, ActionInput(passed=True), now=NOW, calendar=CAL)
    assert closed.status is S.closed
    assert closed.closed_on_time is True
    assert closed.stage is None
    late = apply(
        handled, A.verify, ActionInput(passed=True), now=NOW + timedelta(days=9), calendar=CAL
    )
    assert late.closed_on_time is False


@pytest.mark.parametrize(
    ("finished_at", "on_time"), [(NOW, True), (NOW + timedelta(days=3), False)]
)
def test_finish_records_whether_handling_was_on_time(finished_at: object, on_time: bool) -> None:
    after = apply(
        make_state(S.in_progress, stage=Stage.handle),
        A.finish,
        ActionInput(),
        now=finished_at,
        calendar=CAL,
    )  # type: ignore[arg-type]
    assert after.status is S.handled
    assert after.handled_on_time is on_time
    assert after.stage is Stage.verify


def test_unsatisfied_evaluation_may_reopen() -> None:
    closed = make_state(S.closed, stage=None, closed_at=NOW)
    kept = apply(
        closed,
        A.evaluate,
        ActionInput(contacted=True, resolved=False, satisfaction=Satisfaction.unsatisfied),
        now=NOW,
        calendar=CAL,
    )
    assert (kept.status, kept.reopen_count, kept.satisfaction) == (
        S.closed,
        0,
        Satisfaction.unsatisfied,
    )
    reopened = apply(
        closed,
        A.evaluate,
        ActionInput(
            contacted=True, resolved=False, satisfaction=Satisfaction.unsatisfied, reopen=True
        ),
        now=NOW,
        calendar=CAL,
    )
    assert reopened.status is S.in_progress
    assert reopened.reopen_count == 1
    assert reopened.closed_at is None
    assert reopened.stage_deadline == CAL.add(NOW, LIMITS[Stage.handle])
    with pytest.raises(ValidationFailed) as err:
        apply(
            closed,
            A.evaluate,
            ActionInput(
                contacted=True, resolved=True, satisfaction=Satisfaction.satisfied, reopen=True
            ),
            now=NOW,
            calendar=CAL,
        )
    assert err.value.code == "reopen_not_allowed"
    with pytest.raises(ValidationFailed):
        apply(closed, A.evaluate, ActionInput(), now=NOW, calendar=CAL)


REACHED = {"contacted": True, "resolved": True, "satisfaction": Satisfaction.satisfied}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"resolved": True, "satisfaction": Satisfaction.satisfied}, "contacted_required"),
        ({"contacted": True, "satisfaction": Satisfaction.satisfied}, "resolved_required"),
        ({"contacted": True, "resolved": True}, "satisfaction_required"),
        ({"contacted": False, "satisfaction": Satisfaction.satisfied}, "not_contacted"),
        ({"contacted": False, "resolved": False}, "not_contacted"),
        (
            {"contacted": False, "satisfaction": Satisfaction.unsatisfied, "reopen": True},
            "not_contacted",
        ),
    ],
)
def test_a_visit_says_whether_it_reached_the_citizen(fields: dict[str, object], code: str) -> None:
    closed = make_state(S.closed, stage=None, closed_at=NOW)
    with pytest.raises(ValidationFailed) as err:
        apply(closed, A.evaluate, ActionInput(**fields), now=NOW, calendar=CAL)  # type: ignore[arg-type]
    assert err.value.code == code
    if code == "not_contacted":
        given = [k for k in ("resolved", "satisfaction", "reopen") if k in fields]
        assert err.value.details["fields"] == given
        assert all(name in err.value.message for name in given)


def test_an_unreached_visit_leaves_the_case_waiting_for_the_next_one() -> None:
    closed = make_state(S.closed, stage=None, closed_at=NOW)
    missed = apply(closed, A.evaluate, ActionInput(contacted=False), now=NOW, calendar=CAL)
    assert (missed.status, missed.evaluated_at, missed.satisfaction) == (S.closed, None, None)
    assert A.evaluate in WORKFLOW.actions_now(missed)
    reached = apply(missed, A.evaluate, ActionInput(**REACHED), now=NOW, calendar=CAL)  # type: ignore[arg-type]
    assert (reached.evaluated_at, reached.satisfaction) == (NOW, Satisfaction.satisfied)
    assert A.evaluate not in WORKFLOW.actions_now(reached)


def test_approved_extension_moves_the_handle_deadline() -> None:
    deadline = CAL.add(NOW, LIMITS[Stage.handle])
    state = make_state(
        S.in_progress,
        stage=Stage.handle,
        stage_deadline=deadline,
        deadlines={Stage.handle: deadline},
    )
    asked = apply(
        state,
        A.request_extension,
        ActionInput(extension=TimeLimit(1, LimitUnit.working_days)),
        now=NOW,
        calendar=CAL,
    )
    assert asked.pending_extension == TimeLimit(1, LimitUnit.working_days)
    assert asked.stage_deadline == deadline
    approved = apply(asked, A.approve_extension, ActionInput(), now=NOW, calendar=CAL)
    assert approved.stage_deadline == deadline + timedelta(days=1)
    assert approved.deadlines[Stage.handle] == deadline + timedelta(days=1)
    assert approved.extension_count == 1
    denied = apply(asked, A.deny_extension, ActionInput(), now=NOW, calendar=CAL)
    assert (denied.stage_deadline, denied.extension_count) == (deadline, 0)
    with pytest.raises(ValidationFailed):
        apply(state, A.request_extension, ActionInput(), now=NOW, calendar=CAL)


def test_suspension_stops_the_clock_for_the_working_time_it_lasted() -> None:
    deadline = CAL.add(NOW, LIMITS[Stage.handle])
    state = make_state(
        S.in_progress,
        stage=Stage.handle,
        stage_deadline=deadline,
        deadlines={Stage.handle: deadline},
    )
    suspended = apply(state, A.suspend, ActionInput(), now=NOW, calendar=CAL)
    assert (suspended.status, suspended.suspended_at) == (S.suspended, NOW)
    # Monday 10:00 → Tuesday 10:00 is 8 working hours: the deadline moves one working day.
    resumed = apply(suspended, A.resume, ActionInput(), now=NOW + timedelta(days=1), calendar=CAL)
    assert resumed.status is S.in_progress
    assert resumed.suspended_seconds == 8 * 3600
    assert resumed.stage_deadline == deadline + timedelta(days=1)
    assert resumed.suspended_at is None


PAST_DEADLINE = datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI)  # the Friday before NOW


def _overdue_in_progress(**kw: object) -> CaseState:
    """Handling due on Friday 15:00 that the SLA scan marked overdue, reminded and escalated."""
    deadline = PAST_DEADLINE
    base: dict[str, object] = {
        "stage": Stage.handle,
        "stage_deadline": deadline,
        "deadlines": {Stage.handle: deadline},
        "overdue": True,
        "overdue_at": NOW - timedelta(hours=1),
        "reminded_at": NOW - timedelta(hours=3),
        "supervised": True,
        "escalated_at": NOW - timedelta(hours=1),
    }
    base.update(kw)
    return make_state(S.in_progress, **base)


@pytest.mark.parametrize(
    ("amount", "cleared"),
    [
        (TimeLimit(30, LimitUnit.working_days), True),  # the new deadline lies ahead
        (TimeLimit(1, LimitUnit.working_hours), False),  # still before now: overdue stays
    ],
)
def test_an_extension_past_now_clears_the_overdue_mark(amount: TimeLimit, cleared: bool) -> None:
    state = _overdue_in_progress(pending_extension=amount)
    after = apply(state, A.approve_extension, ActionInput(), now=NOW, calendar=CAL)
    assert after.stage_deadline == CAL.add(PAST_DEADLINE, amount)
    if cleared:
        assert after.stage_deadline > NOW
        assert (after.overdue, after.overdue_at, after.reminded_at) == (False, None, None)
    else:
        assert after.stage_deadline < NOW
        assert (after.overdue, after.overdue_at, after.reminded_at) == (
            True,
            state.overdue_at,
            state.reminded_at,
        )
    # 督办 was issued and stays issued
    assert (after.supervised, after.escalated_at) == (True, state.escalated_at)


def test_handling_after_an_extension_is_judged_against_the_extended_deadline() -> None:
    state = _overdue_in_progress(pending_extension=TimeLimit(30, LimitUnit.working_days))
    extended = apply(state, A.approve_extension, ActionInput(), now=NOW, calendar=CAL)
    finished = apply(extended, A.finish, ActionInput(), now=NOW + timedelta(days=1), calendar=CAL)
    assert finished.handled_on_time is True
    late = apply(
        _overdue_in_progress(),
        A.finish,
        ActionInput(),
        now=NOW + timedelta(days=1),
        calendar=CAL,
    )
    assert late.handled_on_time is False


def test_supervise_keeps_the_status() -> None:
    after = apply(make_state(S.dispatched), A.supervise, ActionInput(), now=NOW, calendar=CAL)
    assert (after.status, after.supervised) == (S.dispatched, True)


def test_self_handle_closes_an_inspector_report_directly() -> None:
    reported = make_state(S.reported, source=CaseSource.inspector, stage=Stage.register)
    after = apply(reported, A.self_handle, ActionInput(), now=NOW, calendar=CAL)
    assert after.status is S.closed
    assert after.registered_at == after.closed_at == NOW


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("13812345678", "13812345678"),
        ("19912345678", "19912345678"),
        ("138-1234-5678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits read as ASCII
        ("13８12345678", "13812345678"),
        ("0571-87654321", "057187654321"),
        ("057187654321", "057187654321"),
        ("(0571)87654321", "057187654321"),
        ("0571 8765 4321", "057187654321"),
        ("010-12345678-123", "01012345678-123"),  # the extension stays apart
        ("12812345678", None),
        ("1381234567", None),
        ("+8613812345678", None),
        ("87654321", None),
        ("١٣٨١٢٣٤٥٦٧٨", None),  # other scripts' digits are not read as digits
        ("13812345678x", None),
    ],
)
def test_reporter_phone_rule(phone: str, stored: str | None) -> None:
    if stored is not None:
        assert checked_phone(f" {phone} ") == stored
    else:
        with pytest.raises(ValidationFailed) as err:
            checked_phone(phone)
        assert err.value.code == "invalid_phone"


@pytest.mark.parametrize(
    ("title", "description", "code"),
    [
        ("", "x", "title_required"),
        ("t" * 201, "x", "title_too_long"),
        ("t", "  ", "description_required"),
        ("t", "d" * 5001, "description_too_long"),
    ],
)
def test_title_and_description_rules(title: str, description: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        checked_text(title, description)
    assert err.value.code == code
    assert checked_text(" 井盖 ", " 缺失 ") == ("井盖", "缺失")
