"""Who may do what with Open311: one rule per use case, each raising PermissionDenied."""

from __future__ import annotations

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

ACTOR_PREFIX = "open311:"  # integration actors are named open311:<key name>


def check_manage_keys(actor: Actor) -> None:
    """Creating, listing and revoking api keys: administrators only."""
    if not actor.has(Role.admin):
        raise PermissionDenied("managing Open311 api keys needs the admin role", code="not_admin")


def check_submit_request(actor: Actor) -> None:
    """Submitting a service request: an integration actor behind a valid api key."""
    if not (actor.has(Role.integration) and actor.username.startswith(ACTOR_PREFIX)):
        raise PermissionDenied(
            "submitting a service request needs a valid api_key", code="api_key_required"
        )


def check_read_public(actor: Actor) -> None:
    """The public Open311 reads (services, requests, updates): anyone with a role, the anonymous
    citizen included; an actor without any role is refused."""
    if not actor.roles:
        raise PermissionDenied("reading Open311 data needs a role", code="no_role")
