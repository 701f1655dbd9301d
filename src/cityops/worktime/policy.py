"""Who may do what with the working calendar: every staff member may read it (deadlines depend
on it), only an administrator may change a year."""

from __future__ import annotations

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

STAFF = frozenset(Role) - {Role.citizen, Role.integration}


def check_read_calendar(actor: Actor) -> None:
    if not actor.roles & STAFF:
        raise PermissionDenied("reading the working calendar needs a staff role", code="not_staff")


def check_set_calendar(actor: Actor) -> None:
    if not actor.has(Role.admin):
        raise PermissionDenied(
            "only an administrator may change the working calendar", code="admin_only"
        )
