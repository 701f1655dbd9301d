"""Who may see the 三率."""

from __future__ import annotations

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

THREE_RATES_VIEWERS = frozenset(
    {Role.leader, Role.admin, Role.dispatcher, Role.shift_leader, Role.operator}
)


def may_view_three_rates(actor: Actor) -> None:
    """three_rates: leaders, administrators, dispatchers, shift leaders and operators (受理员,
    who make the follow-up calls)."""
    if not actor.has(*THREE_RATES_VIEWERS):
        raise PermissionDenied(
            "the 三率 are for leaders, administrators, dispatchers, shift leaders and operators",
            code="three_rates_forbidden",
        )
