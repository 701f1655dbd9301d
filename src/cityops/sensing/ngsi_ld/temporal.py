"""The temporal API's parameters and answers (no I/O, no framework).

Parameters: `attrs`, `timerel` (before, after, between) with `timeAt` and `endTimeAt`
(ISO 8601 with a zone), `timeproperty` (observedAt only), `lastN`, `options`
(temporalValues, aggregatedValues), `aggrMethods` and `aggrPeriodDuration` (PnW, PnD, PTnHnMnS;
P0D, the default, is one bucket over the whole range; years and months are refused, their
length varies). Aggregation needs `timerel=between`; its buckets start at `timeAt`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cityops.sensing.ngsi_ld.mapping import iso_ms
from cityops.sensing.ngsi_ld.problems import bad_request
from cityops.sensing.ngsi_ld.query import options_of

AGGR_METHODS = ("totalCount", "distinctCount", "sum", "avg", "min", "max", "stddev", "sumsq")
ROLLUP_METHODS = frozenset({"totalCount", "sum", "avg", "min", "max"})  # what a rollup row holds
MAX_BUCKETS = 1000  # buckets per attribute in one answer
MAX_INSTANCES = 1000  # raw instances per attribute when lastN is not given (the newest)
TEMPORAL_PARAMS = frozenset(
    {"timerel", "timeAt", "endTimeAt", "timeproperty", "lastN", "aggrMethods"}
    | {"aggrPeriodDuration", "options", "attrs"}
)
_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W|(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?)$"
)


@dataclass(frozen=True)
class TemporalQuery:
    attrs: frozenset[str] | None = None
    start_ms: int | None = None  # inclusive
    end_ms: int | None = None  # exclusive
    last_n: int | None = None
    temporal_values: bool = False
    methods: tuple[str, ...] = ()  # aggregated when not empty
    period_ms: int = 0  # 0: the whole range is one bucket

    @property
    def aggregated(self) -> bool:
        return bool(self.methods)

    def buckets(self) -> list[tuple[int, int]]:
        """[start, end) of each aggregation period, from timeAt to endTimeAt."""
        if self.start_ms is None or self.end_ms is None:
            return []
        step = self.period_ms or self.end_ms - self.start_ms
        return [(s, min(s + step, self.end_ms)) for s in range(self.start_ms, self.end_ms, step)]


def parse_duration_ms(text: str) -> int:
    match = _DURATION.match(text)
    if match is None or text in ("P", "PT") or text.endswith("T"):
        detail = f"aggrPeriodDuration {text!r} is not served: use PnW, PnD or PTnHnMnS"
        if re.match(r"P(\d+Y|\d+M)", text):
            detail += " (years and months vary in length)"
        raise bad_request(detail)
    parts = {k: float(v) for k, v in match.groupdict().items() if v is not None}
    seconds = (
        parts.get("weeks", 0) * 7 * 86400
        + parts.get("days", 0) * 86400
        + parts.get("hours", 0) * 3600
        + parts.get("minutes", 0) * 60
        + parts.get("seconds", 0)
    )
    return round(seconds * 1000)


def _instant(params: Mapping[str, str], name: str) -> int:
    raw = params.get(name)
    if not raw:
        raise bad_request(f"{name} is needed with timerel={params.get('timerel')}")
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError as exc:
        raise bad_request(f"{name} is not an ISO 8601 date-time: {raw!r}") from exc
    if at.tzinfo is None:
        raise bad_request(f"{name} needs a time zone (…Z or +08:00): {raw!r}")
    return round(at.timestamp() * 1000)


def _range(params: Mapping[str, str]) -> tuple[int | None, int | None]:
    timerel = params.get("timerel")
    if timerel is None:
        if "timeAt" in params or "endTimeAt" in params:
            raise bad_request("timeAt and endTimeAt go with timerel")
        return None, None
    if timerel == "before":
        return None, _instant(params, "timeAt")
    if timerel == "after":
        return _instant(params, "timeAt"), None
    if timerel == "between":
        start, end = _instant(params, "timeAt"), _instant(params, "endTimeAt")
        if end <= start:
            raise bad_request("endTimeAt must be after timeAt")
        return start, end
    raise bad_request(f"timerel is before, after or between, not {timerel!r}")


def parse_temporal_query(params: Mapping[str, str]) -> TemporalQuery:
    if params.get("timeproperty", "observedAt") != "observedAt":
        raise bad_request("timeproperty: only observedAt is served")
    options = options_of(params, frozenset({"temporalValues", "aggregatedValues"}))
    start, end = _range(params)
    last_n = None
    if "lastN" in params:
        raw = params["lastN"]
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_INSTANCES:
            raise bad_request(f"lastN is a whole number from 1 to {MAX_INSTANCES}, not {raw!r}")
        last_n = int(raw)
    attrs = None
    if "attrs" in params:
        attrs = frozenset(a.strip() for a in params["attrs"].split(",") if a.strip())
    aggregated = "aggregatedValues" in options or "aggrMethods" in params
    if not aggregated:
        if "aggrPeriodDuration" in params:
            raise bad_request("aggrPeriodDuration goes with aggrMethods")
        return TemporalQuery(attrs, start, end, last_n, "temporalValues" in options)
    methods = tuple(m.strip() for m in params.get("aggrMethods", "").split(",") if m.strip())
    if not methods:
        raise bad_request("aggregatedValues needs aggrMethods")
    if unknown := [m for m in methods if m not in AGGR_METHODS]:
        raise bad_request(
            f"aggrMethods {', '.join(unknown)} not served; served: {', '.join(AGGR_METHODS)}"
        )
    if start is None or end is None:
        raise bad_request("an aggregation needs timerel=between with timeAt and endTimeAt")
    period = parse_duration_ms(params.get("aggrPeriodDuration", "P0D"))
    if period and (end - start) / period > MAX_BUCKETS:
        raise bad_request(
            f"{math.ceil((end - start) / period)} periods of {params['aggrPeriodDuration']} "
            f"between timeAt and endTimeAt: at most {MAX_BUCKETS} are served; "
            "use a longer period or a shorter range",
            title="Too many aggregation periods",
        )
    return TemporalQuery(attrs, start, end, last_n, False, tuple(dict.fromkeys(methods)), period)


@dataclass(frozen=True)
class Stats:
    """One period's figures, from raw points or from a rollup row (which has no squares and
    no distinct count: the methods that need them are answered from raw points)."""

    count: int
    total: float
    low: float
    high: float
    squares: float = math.nan
    distinct: int = -1

    def value(self, method: str) -> float | int:
        if method == "totalCount":
            return self.count
        if method == "distinctCount":
            return self.distinct
        if method == "sum":
            return self.total
        if method == "avg":
            return self.total / self.count
        if method == "min":
            return self.low
        if method == "max":
            return self.high
        if method == "sumsq":
            return self.squares
        mean = self.total / self.count  # stddev: of the population of the period's values
        return math.sqrt(max(self.squares / self.count - mean * mean, 0.0))


def aggregated_attribute(
    methods: tuple[str, ...], buckets: list[tuple[int, int]], stats: Mapping[int, Stats]
) -> dict[str, Any]:
    """`{"type": "Property", "avg": [[value, startAt, endAt], …], …}`; a period without values
    is left out."""
    attribute: dict[str, Any] = {"type": "Property"}
    for method in methods:
        attribute[method] = [
            [stats[start].value(method), iso_ms(start), iso_ms(end)]
            for start, end in buckets
            if start in stats and stats[start].count
        ]
    return attribute
