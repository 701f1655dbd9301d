"""Who may use smart routing (智能分拨): one rule per use case. Which cases one sees is the case
engine's scope (a case outside it is not found)."""

from __future__ import annotations

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

CASE_ROUTING_VIEWERS = frozenset({Role.dispatcher, Role.shift_leader, Role.operator, Role.admin})
SUGGESTERS = frozenset({Role.operator, Role.dispatcher})
EXPORTERS = frozenset({Role.admin})


def check_view_case_routing(actor: Actor) -> None:
    """case_routing: the router's decision on a case, for dispatchers, shift leaders, operators
    and administrators."""
    if not actor.has(*CASE_ROUTING_VIEWERS):
        raise PermissionDenied(
            "routing decisions are for dispatchers, shift leaders, operators and administrators",
            code="cannot_view_routing",
        )


def check_suggest_routes(actor: Actor) -> None:
    """suggest_routes: suggestions for a text being taken in, for operators (受理员) and
    dispatchers (派遣员)."""
    if not actor.has(*SUGGESTERS):
        raise PermissionDenied(
            "routing suggestions are for operators and dispatchers", code="cannot_suggest_routes"
        )


def check_export_corrections(actor: Actor) -> None:
    """export_corrections: dispatcher corrections as training data, for administrators."""
    if not actor.has(*EXPORTERS):
        raise PermissionDenied(
            "exporting routing corrections is for administrators",
            code="cannot_export_corrections",
        )
