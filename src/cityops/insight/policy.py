"""Who may see the indicators."""

from __future__ import annotations

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

INDICATOR_VIEWERS = frozenset({Role.leader, Role.admin, Role.dispatcher, Role.shift_leader})


def may_view_case_indicators(actor: Actor) -> None:
    """case_indicators: leaders, administrators, dispatchers and shift leaders (值班长)."""
    if not actor.has(*INDICATOR_VIEWERS):
        raise PermissionDenied(
            "case indicators are for leaders, administrators, dispatchers and shift leaders",
            code="indicators_forbidden",
        )


HOT_ISSUE_VIEWERS = INDICATOR_VIEWERS | {Role.operator}


def may_view_hot_issues(actor: Actor) -> None:
    """hot_issues: leaders, administrators, dispatchers, shift leaders and operators (受理员),
    each over the appeals in their scope."""
    if not actor.has(*HOT_ISSUE_VIEWERS):
        raise PermissionDenied(
            "hot issues are for leaders, administrators, dispatchers, shift leaders and operators",
            code="hot_issues_forbidden",
        )


CITY_MAP_VIEWERS = INDICATOR_VIEWERS | {Role.operator}


def may_view_city_map(actor: Actor) -> None:
    """city_map (一图观全域): leaders, administrators, dispatchers, shift leaders and operators,
    each over the cases in their scope."""
    if not actor.has(*CITY_MAP_VIEWERS):
        raise PermissionDenied(
            "the city map is for leaders, administrators, dispatchers, shift leaders and operators",
            code="city_map_forbidden",
        )
