"""Who may read the notification outbox: staff who answer citizens."""

from __future__ import annotations

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

OUTBOX_ROLES = frozenset(
    {Role.admin, Role.operator, Role.dispatcher, Role.shift_leader, Role.leader}
)


def check_list_notifications(actor: Actor) -> None:
    if not actor.has(*OUTBOX_ROLES):
        raise PermissionDenied(
            "the notification outbox is for operators, dispatchers, shift leaders, leaders and "
            "admins",
            code="cannot_read_notifications",
        )
