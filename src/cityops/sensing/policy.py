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
