"""What others (web, cli) may use of insight."""

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
    "Indicator",
    "IndicatorReport",
    "IndicatorRow",
    "IndicatorService",
]
