"""Who may ask for similar cases: staff who triage and merge appeals. Scope (which cases one
sees) is the case engine's: candidates come through CaseService reads."""

from __future__ import annotations

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

SIMILAR_ROLES = frozenset(
    {Role.admin, Role.operator, Role.dispatcher, Role.shift_leader, Role.leader, Role.inspector}
)


def check_find_similar(actor: Actor) -> None:
    if not actor.has(*SIMILAR_ROLES):
        raise PermissionDenied(
            "similar cases are for operators, dispatchers, shift leaders, leaders, inspectors "
            "and admins",
            code="cannot_find_similar",
        )
