"""The alarm record and the case decision (告警转案件)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from cityops.kernel.errors import ValidationFailed
from cityops.sensing.alarms.model import MAX_COMMENT_LENGTH, MAX_HISTORY, AlarmAction
from cityops.sensing.alarms.public import (
    MAINTENANCE_CATEGORY,
    Alarm,
    AlarmKind,
    BookSettings,
    CaseKind,
    Severity,
    case_due,
    decide_case,
    escalation_due,
)
from cityops.sensing.rules.public import CasePolicy, DeviceFault

T0 = datetime(2026, 3, 2, tzinfo=UTC)
ALARM = Alarm(
    alarm_id="A1",
    key="rule:pm25-high:D1",
    kind=AlarmKind.rule,
    severity=Severity.major,
    text="pm25 > 150",
    first_at=T0,
    last_at=T0,
    rule_code="pm25-high",
    device_code="D1",
)


def test_a_rule_that_opens_cases_opens_one_after_its_delay() -> None:
    policy = CasePolicy(open_case=True, category_code="env.air", after=timedelta(hours=1))
    decision = decide_case(ALARM, policy)
    assert decision.open_case
    assert decision.kind is CaseKind.incident
    assert decision.category_code == "env.air"
    assert decision.open_at == T0 + timedelta(hours=1)
    assert decision.unit_code is None  # the category's responsibility list routes it
    assert not case_due(decision, ALARM, T0 + timedelta(minutes=59))
    assert case_due(decision, ALARM, T0 + timedelta(hours=1))
    gone = replace(ALARM, active=False, cleared_at=T0 + timedelta(minutes=30))
    assert not case_due(decision, gone, T0 + timedelta(hours=2))


@pytest.mark.parametrize("policy", [None, CasePolicy(), CasePolicy(False, "env.air")])
def test_a_rule_that_does_not_open_cases(policy: CasePolicy | None) -> None:
    decision = decide_case(ALARM, policy)
    assert not decision.open_case
    assert not case_due(decision, ALARM, T0 + timedelta(days=1))


@pytest.mark.parametrize("fault", list(DeviceFault))
def test_a_device_fault_opens_a_maintenance_case_for_the_om_unit(fault: DeviceFault) -> None:
    alarm = replace(ALARM, fault=fault)
    decision = decide_case(alarm, None, om_unit_code="OM-7")
    assert decision.open_case
    assert decision.kind is CaseKind.maintenance
    assert decision.unit_code == "OM-7"
    assert decision.category_code == MAINTENANCE_CATEGORY
    assert decision.open_at == T0
    delayed = decide_case(
        alarm, CasePolicy(False, "facility.repair", timedelta(minutes=20)), om_unit_code="OM-7"
    )
    assert delayed.category_code == "facility.repair"
    assert delayed.open_at == T0 + timedelta(minutes=20)


def test_history_is_bounded_and_keeps_its_first_line() -> None:
    alarm = ALARM.noted(T0, AlarmAction.raised)
    for i in range(MAX_HISTORY * 3):
        alarm = alarm.commented("ops", f"note {i}", T0 + timedelta(seconds=i))
        if len(alarm.comments) >= 150:
            break
    assert len(alarm.history) == MAX_HISTORY
    assert alarm.history[0].action is AlarmAction.raised
    assert alarm.history[-1].note == ""
    assert alarm.history[-1].at == T0 + timedelta(seconds=149)
    with pytest.raises(ValidationFailed):
        alarm.commented("ops", "x" * (MAX_COMMENT_LENGTH + 1), T0)


def test_escalation_due_counts_whole_periods_unacknowledged() -> None:
    settings = BookSettings(escalate_after=((Severity.major, timedelta(minutes=30)),))
    assert escalation_due(ALARM, settings, T0 + timedelta(minutes=89)) == 2
    assert escalation_due(ALARM, settings, T0 + timedelta(days=3)) == settings.max_escalation
    acked = ALARM.acknowledged("ops", T0)
    assert escalation_due(acked, settings, T0 + timedelta(days=3)) == 0
    assert acked.acknowledged("other", T0 + timedelta(hours=1)) is acked
