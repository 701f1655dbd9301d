"""What the rest of cityops may use of smart routing (智能分拨): the service built in app.py as
`platform.routing`, its suggestion and decision records, and the after-commit handlers."""

from __future__ import annotations

from cityops.appeals.routing.decisions import RoutingCorrection, RoutingDecision
from cityops.appeals.routing.dispatch_rule import (
    CITIZEN_SOURCES,
    RouteSuggestion,
    RoutingOutcome,
    RoutingReason,
)
from cityops.appeals.routing.handlers import ROUTER, RoutingRecorder, subscribe
from cityops.appeals.routing.service import CaseRouting, RoutingService, TrainingRow, case_text

__all__ = [
    "CITIZEN_SOURCES",
    "ROUTER",
    "CaseRouting",
    "RouteSuggestion",
    "RoutingCorrection",
    "RoutingDecision",
    "RoutingOutcome",
    "RoutingReason",
    "RoutingRecorder",
    "RoutingService",
    "TrainingRow",
    "case_text",
    "subscribe",
]
