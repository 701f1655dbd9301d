"""Who may do what with devices, telemetry and alarms (one rule per use case)."""

from __future__ import annotations

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

DEVICE_MANAGERS = frozenset({Role.admin, Role.integration})
SENSING_VIEWERS = frozenset(
    {
        Role.admin,
        Role.integration,
        Role.leader,
        Role.dispatcher,
        Role.shift_leader,
        Role.operator,
        Role.handler,
        Role.inspector,
    }
)


def may_manage_devices(actor: Actor) -> None:
    """register_device, update_device, issue_token, import_devices, save_types: administrators
    and integrated systems (an integration token)."""
    if not actor.has(*DEVICE_MANAGERS):
        raise PermissionDenied(
            "devices are managed by administrators and integrated systems",
            code="devices_forbidden",
        )


def may_view_sensing(actor: Actor) -> None:
    """list_devices, get_device, series and latest values, dead letters: staff."""
    if not actor.has(*SENSING_VIEWERS):
        raise PermissionDenied("sensing data is for staff", code="sensing_forbidden")


# 告警: who sees alarms and rules, who handles alarms (确认, 恢复, 指派, 备注), who edits rules
ALARM_HANDLERS = frozenset({Role.dispatcher, Role.shift_leader, Role.operator, Role.admin})
RULE_EDITORS = frozenset({Role.admin})


def may_view_alarms(actor: Actor) -> None:
    """list_alarms, get_alarm, list_rules, get_rule, export_rules: staff (SENSING_VIEWERS);
    which alarms each sees and acts on is the alarm scope's (scoping.py)."""
    if not actor.has(*SENSING_VIEWERS):
        raise PermissionDenied("alarms are for staff", code="sensing_forbidden")


def may_handle_alarms(actor: Actor) -> None:
    """acknowledge, clear_alarm, assign, comment: the centre's dispatchers, shift leaders,
    operators and administrators."""
    if not actor.has(*ALARM_HANDLERS):
        raise PermissionDenied(
            "alarms are handled by dispatchers, shift leaders, operators and administrators",
            code="alarms_forbidden",
        )


def may_edit_rules(actor: Actor) -> None:
    """save_rule, set_rule_enabled, import_rules, backtest_rule: administrators."""
    if not actor.has(*RULE_EDITORS):
        raise PermissionDenied("alarm rules are edited by administrators", code="rules_forbidden")
