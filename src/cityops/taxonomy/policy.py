"""Who may do what with the taxonomy and responsibility list. Reading is open to everyone (the
citizen portal shows the categories); changing it is for administrators."""

from __future__ import annotations

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied


def can_manage_taxonomy(actor: Actor) -> bool:
    """upsert, deactivate and import categories."""
    return actor.has(Role.admin)


def check_manage_taxonomy(actor: Actor) -> None:
    if not can_manage_taxonomy(actor):
        raise PermissionDenied(
            "only an administrator may change the responsibility list (权责清单)",
            code="taxonomy_admin_only",
        )
