"""Who may do what in the org domain: one rule per use case. Managing the organisation and its
credentials is for administrators; a signed-in user may read the departments and themselves."""

from __future__ import annotations

from collections.abc import Callable

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied


def _admin_only(doing: str) -> Callable[[Actor], None]:
    def rule(actor: Actor) -> None:
        if not actor.has(Role.admin):
            raise PermissionDenied(f"only an administrator may {doing}", code="admin_only")

    rule.__name__ = f"may_{doing.replace(' ', '_')}"
    return rule


may_create_department = _admin_only("create departments")
may_update_department = _admin_only("change departments")
may_list_users = _admin_only("list users")
may_create_user = _admin_only("create users")
may_update_user = _admin_only("change users")
may_set_user_roles = _admin_only("change user roles")
may_deactivate_user = _admin_only("deactivate users")
may_list_api_tokens = _admin_only("list API tokens")
may_create_api_token = _admin_only("create API tokens")
may_revoke_api_token = _admin_only("revoke API tokens")


def may_view_user(actor: Actor, user_id: int) -> None:
    """Administrators see every account; anyone else only their own."""
    if actor.has(Role.admin) or (actor.user_id is not None and actor.user_id == user_id):
        return
    raise PermissionDenied("you may only view your own account", code="not_your_account")


# use case (OrgService method) → its rule; tests/unit/org/test_policy.py proves each one denies
POLICIES: dict[str, Callable[..., None]] = {
    "create_department": may_create_department,
    "update_department": may_update_department,
    "list_users": may_list_users,
    "get_user": may_view_user,
    "create_user": may_create_user,
    "update_user": may_update_user,
    "set_user_roles": may_set_user_roles,
    "deactivate_user": may_deactivate_user,
    "list_api_tokens": may_list_api_tokens,
    "create_api_token": may_create_api_token,
    "revoke_api_token": may_revoke_api_token,
}
