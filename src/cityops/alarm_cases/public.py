"""What the composition root uses of the alarm → case bridge."""

from __future__ import annotations

from cityops.alarm_cases.handlers import BRIDGE, MAINTENANCE_CATEGORY, AlarmCaseBridge, subscribe

__all__ = ["BRIDGE", "MAINTENANCE_CATEGORY", "AlarmCaseBridge", "subscribe"]
