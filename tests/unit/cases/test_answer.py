"""直接办结 (`answer`): a reported consultation (a category under A13 咨询建议) is answered and
closed by an operator in one step — registered, handled and closed at the same instant, on time,
never dispatched; any other category or status is refused with the actions allowed now."""

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
    Satisfaction,
    is_consultation,
)
from cityops.cases.workflow.registry import WORKFLOW
from cityops.kernel.actor import Actor, Role
from cityops.kernel.clock import SHANGHAI
from cityops.kernel.errors import InvalidTransition
from cityops.worktime.calendar import WorkingCalendar
from cityops.worktime.limits import LimitUnit, Stage, TimeLimit

A, S = CaseAction, CaseStatus
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
CAL = WorkingCalendar()
LIMITS = {
    Stage.register: TimeLimit(1, LimitUnit.working_hours),
    Stage.handle: TimeLimit(3, LimitUnit.working_days),
    Stage.close: TimeLimit(1, LimitUnit.working_days),
}
OPERATOR = Actor(user_id=1, username="op", roles=frozenset({Role.operator}))
DISPATCHER = Actor(user_id=2, username="disp", roles=frozenset({Role.dispatcher}))


def reported(category: str = "A1301", status: CaseStatus = S.reported) -> CaseState:
    reported_at = NOW - timedelta(minutes=3)
    deadlines = initial_deadlines(reported_at, LIMITS, CAL)
    return CaseState(
        status=status,
        source=CaseSource.hotline,
        reported_at=reported_at,
        category_code=category,
        limits=LIMITS,
        deadlines=deadlines,
        stage=Stage.register,
        stage_started_at=reported_at,
        stage_deadline=deadlines[Stage.register],
    )


def test_answer_closes_a_consultation_at_once() -> None:
    after = apply(reported(), A.answer, ActionInput(), now=NOW, calendar=CAL)
    assert after.status is S.closed
    assert (after.registered_at, after.handled_at, after.closed_at) == (NOW, NOW, NOW)
    assert after.closed_on_time is True
    assert after.stage is None
    assert after.stage_deadline is None
    assert after.department_id is None
    assert after.dispatched_at is None
    assert after.handled_on_time is None  # not a dispatched case: no 按期处置 count


@pytest.mark.parametrize(
    ("code", "yes"),
    [("A13", True), ("A1301", True), ("A1303", True), ("A01", False), ("E9001", False)],
)
def test_consultation_is_the_a13_branch(code: str, yes: bool) -> None:
    assert is_consultation(code) is yes
    assert (A.answer in WORKFLOW.actions_now(reported(code))) is yes


def test_answering_another_category_names_the_rule() -> None:
    with pytest.raises(InvalidTransition) as err:
        apply(reported("E9001"), A.answer, ActionInput(), now=NOW, calendar=CAL)
    assert err.value.code == "not_a_consultation"
    assert "A13" in err.value.message
    assert "register" in err.value.details["allowed"]


@pytest.mark.parametrize("status", [s for s in CaseStatus if s is not S.reported])
def test_only_a_reported_case_is_answered(status: CaseStatus) -> None:
    with pytest.raises(InvalidTransition) as err:
        apply(reported(status=status), A.answer, ActionInput(), now=NOW, calendar=CAL)
    assert err.value.code == "invalid_transition"


def test_the_operator_answers_and_the_dispatcher_does_not() -> None:
    assert A.answer in WORKFLOW.allowed_actions(reported(), OPERATOR)
    assert A.answer not in WORKFLOW.allowed_actions(reported(), DISPATCHER)
    assert A.answer not in WORKFLOW.allowed_actions(reported("E9001"), OPERATOR)


def test_an_answered_consultation_may_be_visited_later() -> None:
    closed = apply(reported(), A.answer, ActionInput(), now=NOW, calendar=CAL)
    assert WORKFLOW.actions_now(closed) == [A.evaluate]


def test_an_unsatisfied_visit_sends_an_answered_consultation_back_to_dispatch() -> None:
    """No department ever held it, so 重办 cannot go back to one: the case is registered again
    with a fresh dispatch clock, for a dispatcher to send to a unit."""
    closed = apply(reported(), A.answer, ActionInput(), now=NOW, calendar=CAL)
    later = NOW + timedelta(days=1)
    reopened = apply(
        closed,
        A.evaluate,
        ActionInput(
            contacted=True, resolved=False, satisfaction=Satisfaction.unsatisfied, reopen=True
        ),
        now=later,
        calendar=CAL,
    )
    assert reopened.status is S.registered
    assert (reopened.stage, reopened.stage_started_at) == (Stage.dispatch, later)
    assert reopened.department_id is None
    assert reopened.reopen_count == 1
    assert reopened.closed_at is None
    assert A.dispatch in WORKFLOW.allowed_actions(reopened, DISPATCHER)
