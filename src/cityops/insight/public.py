"""What others (web, cli) may use of insight."""

from cityops.insight.hotspots.analysis import find_hotspots
from cityops.insight.hotspots.model import (
    HeatParts,
    HeatWeights,
    HotIssue,
    HotspotReport,
    HotspotSettings,
)
from cityops.insight.hotspots.model import Message as HotspotMessage
from cityops.insight.indicators import COUNT_FIELDS, COUNT_NAMES_ZH, INDICATORS, Indicator
from cityops.insight.service import (
    CaseCountsSource,
    GroupBy,
    IndicatorReport,
    IndicatorRow,
    IndicatorService,
)

__all__ = [
    "COUNT_FIELDS",
    "COUNT_NAMES_ZH",
    "INDICATORS",
    "CaseCountsSource",
    "GroupBy",
    "HeatParts",
    "HeatWeights",
    "HotIssue",
    "HotspotMessage",
    "HotspotReport",
    "HotspotSettings",
    "Indicator",
    "IndicatorReport",
    "IndicatorRow",
    "IndicatorService",
    "find_hotspots",
]
