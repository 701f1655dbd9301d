"""Who may do what with webhooks: one rule, for every operation (administrators only)."""

from __future__ import annotations

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied


def may_manage_webhooks(actor: Actor) -> None:
    """Policy for every webhook operation: administrators only."""
    if not actor.has(Role.admin):
        raise PermissionDenied("only an administrator may manage webhooks", code="admin_only")
