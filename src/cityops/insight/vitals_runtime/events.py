"""Events of city vital signs: an indicator changed state in an area (written to the outbox in
the evaluation's transaction, published after commit, so the console's event stream shows it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cityops.kernel.events import Event


@dataclass(frozen=True, kw_only=True)
class InsightEvent(Event, abstract=True):
    """Base of insight's events."""


@dataclass(frozen=True, kw_only=True)
class VitalChanged(InsightEvent, wire="insight.vital_changed", version=1):  # 体征状态变化
    indicator: str
    area_code: str
    from_status: str
    to_status: str
    from_level: str | None
    to_level: str | None
    value: float | None
    at: datetime
    # the firing action carried out with it, if any: case (opened), alarm (its area alarm
    # raised or its severity moved), clear (its area alarm cleared)
    action: str = ""
    case_id: int | None = None
    alarm_id: int | None = None  # the area alarm (sensing) raised, moved or cleared
