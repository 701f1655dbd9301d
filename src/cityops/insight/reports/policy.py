"""Who may read and build the generated reports."""

from __future__ import annotations

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

REPORT_READERS = frozenset({Role.leader, Role.admin, Role.dispatcher, Role.shift_leader})
REPORT_BUILDERS = frozenset({Role.leader, Role.admin})


def may_read_reports(actor: Actor) -> None:
    """Reading reports and the archive: leaders, administrators, dispatchers, shift leaders."""
    if not actor.has(*REPORT_READERS):
        raise PermissionDenied(
            "reports are for leaders, administrators, dispatchers and shift leaders",
            code="reports_forbidden",
        )


def may_build_reports(actor: Actor) -> None:
    """Building (and archiving) a report on demand: leaders and administrators."""
    if not actor.has(*REPORT_BUILDERS):
        raise PermissionDenied(
            "building reports is for leaders and administrators", code="report_build_forbidden"
        )
