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


VITAL_VIEWERS = CITY_MAP_VIEWERS  # 城市体征: whoever may view the city map


def may_view_vitals(actor: Actor) -> None:
    """vitals (城市体征 board, drill-down, trend): the city map's viewers, each over the areas
    in their scope (an area-bound actor: only inside their areas)."""
    if not actor.has(*VITAL_VIEWERS):
        raise PermissionDenied(
            "city vital signs are for leaders, administrators, dispatchers, shift leaders and "
            "operators",
            code="vitals_forbidden",
        )


VITAL_DEFINITION_READERS = frozenset({Role.admin, Role.leader})


def may_read_vital_definitions(actor: Actor) -> None:
    """vital_definitions (the indicator registry as YAML): administrators and leaders."""
    if not actor.has(*VITAL_DEFINITION_READERS):
        raise PermissionDenied(
            "the indicator definitions are for administrators and leaders",
            code="vital_definitions_forbidden",
        )


def may_import_vital_definitions(actor: Actor) -> None:
    """import_vital_definitions: administrators only."""
    if not actor.has(Role.admin):
        raise PermissionDenied(
            "only administrators import indicator definitions", code="vital_definitions_forbidden"
        )


VITAL_SERIES_WRITERS = frozenset({Role.admin, Role.integration})


def may_import_vital_series(actor: Actor) -> None:
    """import_vital_series (weather, supply … from other systems): administrators and the API
    tokens of integrated systems."""
    if not actor.has(*VITAL_SERIES_WRITERS):
        raise PermissionDenied(
            "series are imported by administrators and integrated systems",
            code="vital_series_forbidden",
        )
