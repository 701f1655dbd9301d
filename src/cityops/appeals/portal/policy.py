"""Who may use the portal: one rule per use case. The web layer acts for an anonymous citizen
(kernel.actor.anonymous_citizen()); staff may do what a citizen may, and read the outbox, except
rate a case: that is the citizen's own word."""

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
    """The rating is the citizen's own word, and the satisfaction figures judge departments: an
    account holding any staff role (or an integration's) never gives it."""
    if actor.has(*(PUBLIC_ROLES - {Role.citizen})):
        raise PermissionDenied(
            "a signed-in account cannot give the citizen's rating: the citizen rates on the "
            "portal without signing in; staff record what the citizen says in a follow-up "
            "visit (回访, the evaluate action)",
            code="staff_cannot_rate",
        )
    if not actor.has(Role.citizen):
        raise PermissionDenied(
            "only the citizen (through the portal) rates a case here; staff use the "
            "evaluate action",
            code="cannot_rate_case",
        )


def check_read_board(actor: Actor) -> None:
    if not actor.has(*PUBLIC_ROLES):
        raise PermissionDenied("reading the board needs a role", code="cannot_read_board")
