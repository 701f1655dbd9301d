"""A new case type is configuration plus specs, not edits across the engine: a sensor alarm
(物联感知告警) brings its own action, `acknowledge` (确认告警: a dispatcher or operator confirms
the alarm is real, which registers the case), declared here and run through the registry, the
policy and lifecycle.apply exactly as the built-in actions are; its CaseType (the cases of
source `sensor`) is what a platform is configured with (`build_platform(case_types=...)`;
tests/integration/cases/test_case_types.py goes through HTTP)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import Field

from cityops.cases import policy
from cityops.cases.dtos import ActionCommand
from cityops.cases.events import CaseEvent
from cityops.cases.lifecycle import apply, initial_deadlines
from cityops.cases.model import ActionInput, CaseSource, CaseState, CaseStatus
from cityops.cases.workflow.registry import WORKFLOW
from cityops.cases.workflow.spec import (
    ActionBody,
    ActionSpec,
    CaseBrief,
    Done,
    FormField,
    FoundDepartment,
    Guard,
    Reading,
    Step,
)
from cityops.cases.workflow.types import GENERAL, CaseType, CaseTypes
from cityops.kernel.actor import Actor, Role
from cityops.kernel.clock import SHANGHAI
from cityops.kernel.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from cityops.worktime.calendar import WorkingCalendar
from cityops.worktime.limits import LimitUnit, Stage, TimeLimit

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
CAL = WorkingCalendar()
LIMITS = {
    Stage.register: TimeLimit(1, LimitUnit.working_hours),
    Stage.dispatch: TimeLimit(1, LimitUnit.working_hours),
    Stage.handle: TimeLimit(8, LimitUnit.working_hours),
}


# ---- the new case type: its body, effect, event and spec ------------------------------------


class AcknowledgeBody(ActionBody):
    alarm_level: int | None = Field(default=None, ge=1, le=4, description="1 (highest) … 4")


# 告警确认 (a name of its own: sensing.events has an AlarmAcknowledged)
@dataclass(frozen=True, kw_only=True)
class SensorAlarmAcknowledged(CaseEvent, wire="case.test_alarm_acknowledged", version=1):
    alarm_level: int


def _read(body: AcknowledgeBody, reading: Reading) -> ActionInput:
    if body.alarm_level is None:
        raise ValidationFailed("acknowledge needs the alarm_level", code="alarm_level_required")
    return ActionInput()


def _acknowledge(step: Step) -> CaseState:
    step.restart(Stage.dispatch, step.now)
    return dataclasses.replace(step.state, registered_at=step.now)


def _events(done: Done[AcknowledgeBody]) -> list[CaseEvent]:
    return [SensorAlarmAcknowledged(**done.event_fields(), alarm_level=done.body.alarm_level or 0)]


ACKNOWLEDGE: ActionSpec[AcknowledgeBody] = ActionSpec(
    name="acknowledge",
    title="确认告警",
    sources=frozenset({CaseStatus.reported}),
    target=CaseStatus.registered,
    roles=frozenset({Role.dispatcher, Role.operator}),
    body=AcknowledgeBody,
    read=_read,
    effect=_acknowledge,
    history=lambda done: {"alarm_level": done.body.alarm_level},
    events=_events,
    guard=Guard(
        allows=lambda state: state.source is CaseSource.sensor,
        code="not_a_sensor_alarm",
        refusal=lambda state: f"only a sensor alarm is acknowledged, not a {state.source} case",
    ),
    form=(FormField("alarm_level", "number", required=True, min=1),),
)
SENSOR_ALARMS = WORKFLOW.with_actions(ACKNOWLEDGE)
SENSOR_ALARM = CaseType(
    name="sensor_alarm",
    title="物联感知告警",
    workflow=SENSOR_ALARMS,
    sources=frozenset({CaseSource.sensor}),
)


# ---- the engine runs it --------------------------------------------------------------------


def alarm(source: CaseSource = CaseSource.sensor, category_code: str = "") -> CaseState:
    return CaseState(
        status=CaseStatus.reported,
        source=source,
        category_code=category_code,
        reported_at=NOW,
        limits=LIMITS,
        deadlines=initial_deadlines(NOW, LIMITS, CAL),
    )


class NoLookups:
    def department(self, code: str) -> FoundDepartment | None:
        return None

    def case_in_scope(self, case_id: int) -> CaseBrief | None:
        return None


def test_the_new_action_is_offered_with_the_built_in_ones() -> None:
    assert SENSOR_ALARMS.actions_now(alarm())[-1] == "acknowledge"
    assert "acknowledge" in SENSOR_ALARMS.actions_now(alarm())
    assert "acknowledge" not in SENSOR_ALARMS.actions_now(alarm(CaseSource.hotline))
    assert "acknowledge" not in WORKFLOW  # the built-in workflow is unchanged


def test_lifecycle_applies_the_new_action() -> None:
    later = NOW + timedelta(minutes=20)
    after = apply(
        alarm(), "acknowledge", ActionInput(), now=later, calendar=CAL, workflow=SENSOR_ALARMS
    )
    assert (after.status, after.registered_at, after.stage) == (
        CaseStatus.registered,
        later,
        Stage.dispatch,
    )
    assert after.stage_deadline == CAL.add(later, LIMITS[Stage.dispatch])


def test_its_guard_refuses_with_its_own_code() -> None:
    with pytest.raises(InvalidTransition) as err:
        apply(
            alarm(CaseSource.hotline),
            "acknowledge",
            ActionInput(),
            now=NOW,
            calendar=CAL,
            workflow=SENSOR_ALARMS,
        )
    assert err.value.code == "not_a_sensor_alarm"
    with pytest.raises(NotFound):  # a workflow without the case type does not know the action
        apply(alarm(), "acknowledge", ActionInput(), now=NOW, calendar=CAL)


def test_the_policy_reads_its_roles() -> None:
    dispatcher = Actor(user_id=1, username="d", roles=frozenset({Role.dispatcher}))
    handler = Actor(user_id=2, username="h", roles=frozenset({Role.handler}), department_id=7)
    policy.check_action_on(dispatcher, "acknowledge", alarm(), SENSOR_ALARMS)
    with pytest.raises(PermissionDenied) as err:
        policy.check_action(handler, "acknowledge", SENSOR_ALARMS)
    assert err.value.code == "role_not_allowed"
    assert SENSOR_ALARMS.acting_role(dispatcher, "acknowledge") == "dispatcher"


def test_its_body_input_history_and_events() -> None:
    body = ACKNOWLEDGE.body.of_command(ActionCommand(version=1, note="现场确认"))
    reading = Reading(1, alarm(), None, NoLookups())
    with pytest.raises(ValidationFailed) as err:
        SENSOR_ALARMS.read_input("acknowledge", body, reading)
    assert err.value.code == "alarm_level_required"
    body = AcknowledgeBody(version=1, alarm_level=2)
    inp = SENSOR_ALARMS.read_input("acknowledge", body, reading)
    before = alarm()
    after = apply(before, "acknowledge", inp, now=NOW, calendar=CAL, workflow=SENSOR_ALARMS)
    done: Done[Any] = Done(body, inp, before, after, 1, "C1", NOW, "d", "dispatcher", None)
    assert ACKNOWLEDGE.history(done) == {"alarm_level": 2}
    (event,) = ACKNOWLEDGE.events(done)
    assert isinstance(event, SensorAlarmAcknowledged)
    assert (event.alarm_level, event.status) == (2, "registered")


# ---- the case type: which cases follow the new workflow -------------------------------------


def test_a_case_follows_the_workflow_of_its_type() -> None:
    types = CaseTypes(SENSOR_ALARM)
    assert types.type_of(alarm()) is SENSOR_ALARM
    assert types.workflow_for(alarm()) is SENSOR_ALARMS
    assert types.type_of(alarm(CaseSource.hotline)) is GENERAL
    assert "acknowledge" not in types.workflow_for(alarm(CaseSource.hotline))
    assert types.actions.names == [*WORKFLOW.names, "acknowledge"]
    assert types.offering("acknowledge") == ["sensor_alarm"]
    assert types.offering("register") == ["sensor_alarm", "general"]
    assert [t.name for t in CaseTypes()] == ["general"]


def test_a_type_covers_its_sources_and_category_prefixes() -> None:
    data_errors = CaseType(
        name="data_error",
        title="数据纠错",
        workflow=WORKFLOW.only("register", "reject", "cancel"),
        sources=frozenset({CaseSource.web, CaseSource.open311}),
        category_prefixes=("E95",),
    )
    types = CaseTypes(data_errors, SENSOR_ALARM)
    assert types.type_of(alarm(CaseSource.web, "E9501")) is data_errors
    assert types.type_of(alarm(CaseSource.open311, "E95")) is data_errors
    assert types.type_of(alarm(CaseSource.hotline, "E9501")) is GENERAL
    assert types.type_of(alarm(CaseSource.web, "E9001")) is GENERAL
    assert types.type_of(alarm(CaseSource.sensor, "E9501")) is SENSOR_ALARM
    assert data_errors.workflow.names == ["register", "reject", "cancel"]
    assert types.workflow_for(alarm(CaseSource.web, "E9501")).actions_now(
        alarm(CaseSource.web, "E9501")
    ) == ["register", "reject", "cancel"]


def test_a_subset_names_actions_of_the_workflow() -> None:
    with pytest.raises(NotFound):
        WORKFLOW.only("register", "acknowledge")


def test_a_configuration_that_cannot_work_is_refused() -> None:
    with pytest.raises(ValueError, match="must say which cases"):
        CaseTypes(dataclasses.replace(SENSOR_ALARM, sources=frozenset()))
    with pytest.raises(ValueError, match="must cover every case"):
        CaseTypes(default=SENSOR_ALARM)
    with pytest.raises(ValueError, match="declared twice"):
        CaseTypes(SENSOR_ALARM, dataclasses.replace(SENSOR_ALARM, title="另一种"))
    other = dataclasses.replace(ACKNOWLEDGE, roles=frozenset({Role.operator}))
    with pytest.raises(ValueError, match="two different specs"):
        CaseTypes(
            SENSOR_ALARM,
            CaseType(
                name="device_fault",
                title="设备故障",
                workflow=WORKFLOW.with_actions(other),
                category_prefixes=("E96",),
            ),
        )
