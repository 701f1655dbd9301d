"""Who may use the portal: one rule per use case. The web layer acts for an anonymous citizen
(kernel.actor.anonymous_citizen()); staff may do what a citizen may, and read the outbox."""

from __future__ import annotations

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

PUBLIC_ROLES = frozenset(Role)  # any holder of a role, the anonymous citizen included


def check_submit_appeal(actor: Actor) -> None:
    if not actor.has(Role.citizen, Role.operator, Role.admin):
        raise PermissionDenied(
            "submitting an appeal through the portal needs the citizen role",
            code="cannot_submit_appeal",
        )


def check_track_case(actor: Actor) -> None:
    if not actor.has(*PUBLIC_ROLES):
        raise PermissionDenied("tracking a case needs a role", code="cannot_track_case")


def check_rate_case(actor: Actor) -> None:
    if not actor.has(Role.citizen):
        raise PermissionDenied(
            "only the citizen (through the portal) rates a case here; staff use the "
            "evaluate action",
            code="cannot_rate_case",
        )


def check_read_board(actor: Actor) -> None:
    if not actor.has(*PUBLIC_ROLES):
        raise PermissionDenied("reading the board needs a role", code="cannot_read_board")
