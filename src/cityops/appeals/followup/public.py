"""What the rest of cityops may use of follow-up visits (回访) and the 三率: the service built in
app.py as `platform.followup`, its report records, the formulas' names and texts, the
rating channels and the after-commit handler that copies each evaluation."""

from __future__ import annotations

from cityops.appeals.followup.area_counts import StreetRateCounts, rate_counts_by_street
from cityops.appeals.followup.channels import PORTAL_USERNAME, RatingChannel
from cityops.appeals.followup.handlers import FollowupRecorder, subscribe
from cityops.appeals.followup.rates import FORMULAS, NAMES, RateCounts, three_rates
from cityops.appeals.followup.service import (
    FollowupGroupBy,
    FollowupService,
    ThreeRatesReport,
    ThreeRatesRow,
)

__all__ = [
    "FORMULAS",
    "NAMES",
    "PORTAL_USERNAME",
    "FollowupGroupBy",
    "FollowupRecorder",
    "FollowupService",
    "RateCounts",
    "RatingChannel",
    "StreetRateCounts",
    "ThreeRatesReport",
    "ThreeRatesRow",
    "rate_counts_by_street",
    "subscribe",
    "three_rates",
]
