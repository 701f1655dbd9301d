"""Who may import, remove and read the key sites (重点场所)."""

from __future__ import annotations

from cityops.insight.policy import may_view_city_map
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied


def may_manage_key_sites(actor: Actor) -> None:
    """import_sites, delete_kind: administrators only."""
    if not actor.has(Role.admin):
        raise PermissionDenied(
            "key sites are imported and removed by administrators", code="key_sites_forbidden"
        )


def may_view_key_sites(actor: Actor) -> None:
    """list_sites, site_detail: whoever may view the city map (its readers and policy)."""
    may_view_city_map(actor)
