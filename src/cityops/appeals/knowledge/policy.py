"""Who may use the knowledge base: one rule per use case."""

from __future__ import annotations

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

READERS = frozenset({Role.operator, Role.dispatcher, Role.shift_leader, Role.leader, Role.admin})
EDITORS = frozenset({Role.admin, Role.shift_leader})


def check_read_articles(actor: Actor) -> None:
    """search, list and read: operators and the centre roles above them."""
    if not actor.has(*READERS):
        raise PermissionDenied(
            "the knowledge base is for operators, dispatchers, shift leaders, leaders and admins",
            code="cannot_read_knowledge",
        )


def check_manage_articles(actor: Actor) -> None:
    """create, update, import, and listing inactive articles: admins and shift leaders."""
    if not actor.has(*EDITORS):
        raise PermissionDenied(
            "changing the knowledge base needs the admin or shift_leader role",
            code="cannot_manage_knowledge",
        )
