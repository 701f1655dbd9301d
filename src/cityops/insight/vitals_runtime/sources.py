"""The value of one definition in every area of its levels at an evaluation instant `at`.

Each source kind reads with a few grouped queries through the public faces of cases, appeals and
sensing (never one query per area) and adds the rows up to the areas (areas.py). Windows:
- cases: counts over the refresh interval ending at `at`; rates over the calendar month to date
  (Asia/Shanghai), computed on the summed counts, never averaged;
- appeals: `accepted` over the refresh interval; the rates month to date;
- sensing: over `window` (default the refresh interval) ending at `at`, from the rollups;
- series: the newest imported point in (at − nodata_intervals × refresh, at].
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from cityops.appeals.followup.public import RateCounts, rate_counts_by_street, three_rates
from cityops.cases.public import city_case_counts, hotline_counts
from cityops.insight.indicators import COUNT_FIELDS, counts_of, rates, total_counts
from cityops.insight.vitals.definitions import (
    AppealSource,
    CaseSource,
    IndicatorDefinition,
    SensingAggregation,
    SensingSource,
    SeriesSource,
    SpatialLevel,
)
from cityops.insight.vitals.traffic_index import RoadClass, SegmentFlow, network_tpi
from cityops.insight.vitals_runtime import store
from cityops.insight.vitals_runtime.areas import AreaSet
from cityops.insight.vitals_runtime.timing import month_start, to_ms
from cityops.sensing.public import (
    active_alarm_counts,
    bucket_aggregates,
    latest_per_device,
)

Values = dict[str, float | None]  # area code → value
_HOUR = timedelta(hours=1)


def _levels_by_group(levels: tuple[SpatialLevel, ...]) -> list[tuple[SpatialLevel, str]]:
    groups = {SpatialLevel.district: "district", SpatialLevel.street: "area"}
    return [(lv, groups[lv]) for lv in levels if lv in groups]


# --- cases (数字城管) ---------------------------------------------------------------------------


def case_values(
    session: Session, d: IndicatorDefinition, source: CaseSource, areas: AreaSet, at: datetime
) -> Values:
    is_count = source.metric in COUNT_FIELDS
    start = at - d.refresh if is_count else month_start(at)
    out: Values = {}
    city: dict[str, int] | None = None
    for level, group in _levels_by_group(d.levels):
        rows = city_case_counts(session, group_by=group, start=start, end=at, due_by=at)
        by_code = {r.group_code: counts_of(r) for r in rows}
        if level is SpatialLevel.district:
            city = total_counts(by_code.values())
        for ref in areas.of(level):
            out[ref.code] = _case_value(source.metric, by_code.get(ref.code))
    if SpatialLevel.city in d.levels:
        if city is None:
            rows = city_case_counts(session, group_by="district", start=start, end=at, due_by=at)
            city = total_counts(rows)
        out[areas.root.code] = _case_value(source.metric, city)
    return out


def _case_value(metric: str, counts: Mapping[str, int] | None) -> float | None:
    counts = counts or dict.fromkeys(COUNT_FIELDS, 0)
    if metric in COUNT_FIELDS:
        return float(counts[metric])
    return rates(counts)[metric]


# --- appeals (12345) ---------------------------------------------------------------------------

_VISIT_RATES = {
    "satisfaction_rate": "satisfaction_rate",  # 满意率
    "contact_rate": "response_rate",  # 联系率 = 已联系数/回访数 (the 三率's 响应率)
    "reply_rate": "on_time_response_rate",  # 回复率 = 按时响应数/应响应数
}


def appeal_values(
    session: Session, d: IndicatorDefinition, source: AppealSource, areas: AreaSet, at: datetime
) -> Values:
    metric = source.metric
    if metric in _VISIT_RATES:
        return _visit_values(session, d, _VISIT_RATES[metric], areas, at)
    start = at - d.refresh if metric == "accepted" else month_start(at)
    out: Values = {}
    groups = {"district"} | {g for _, g in _levels_by_group(d.levels)}
    read = {
        g: {
            r.group_code: (r.reported, r.due_to_close, r.closed_on_time, r.merged)
            for r in hotline_counts(session, group_by=g, start=start, end=at, due_by=at)
        }
        for g in groups
    }
    if SpatialLevel.city in d.levels:
        rows = read["district"].values()
        city = tuple(sum(c[i] for c in rows) for i in range(4))
        out[areas.root.code] = _appeal_value(metric, city)
    for level, group in _levels_by_group(d.levels):
        for ref in areas.of(level):
            out[ref.code] = _appeal_value(metric, read[group].get(ref.code, (0, 0, 0, 0)))
    return out


def _appeal_value(metric: str, counts: tuple[int, ...]) -> float | None:
    reported, due, on_time, merged = counts
    if metric == "accepted":
        return float(reported)
    if metric == "closed_on_time_rate":
        return None if due == 0 else on_time / due
    # repeat_rate (重复诉求率): hotline cases merged into another as duplicates / hotline cases
    return None if reported == 0 else merged / reported


def _visit_values(
    session: Session, d: IndicatorDefinition, rate: str, areas: AreaSet, at: datetime
) -> Values:
    rows = rate_counts_by_street(session, month_start(at), at)
    by_district: dict[str, RateCounts] = defaultdict(RateCounts)
    by_street: dict[str, RateCounts] = defaultdict(RateCounts)
    total = RateCounts()
    for r in rows:
        by_district[r.district_code] = by_district[r.district_code] + r.counts
        by_street[r.street_code] = by_street[r.street_code] + r.counts
        total = total + r.counts
    out: Values = {}
    for level in d.levels:
        if level is SpatialLevel.city:
            out[areas.root.code] = three_rates(total)[rate]
            continue
        table = by_district if level is SpatialLevel.district else by_street
        for ref in areas.of(level):
            out[ref.code] = three_rates(table.get(ref.code, RateCounts()))[rate]
    return out


# --- sensing ------------------------------------------------------------------------------------


def sensing_values(
    session: Session, d: IndicatorDefinition, source: SensingSource, areas: AreaSet, at: datetime
) -> Values:
    agg = source.aggregation
    window = source.window or d.refresh
    start = at - window
    if agg in (SensingAggregation.mean, SensingAggregation.max, SensingAggregation.min,
               SensingAggregation.sum):  # fmt: skip
        hourly = window % _HOUR == timedelta(0) and at == at.replace(minute=0, second=0)
        rows = bucket_aggregates(
            session, source.metric, "1h" if hourly else "1m", to_ms(start), to_ms(at)
        )
        grouped = areas.roll_up(d.levels, ((r.area_code, r) for r in rows))
        out: Values = {}
        for code, items in grouped.items():
            n = sum(r.count for r in items)
            if not n:
                out[code] = None
            elif agg is SensingAggregation.mean:
                out[code] = sum(r.sum for r in items) / n
            elif agg is SensingAggregation.sum:
                out[code] = sum(r.sum for r in items)
            elif agg is SensingAggregation.max:
                out[code] = max(r.max for r in items)
            else:
                out[code] = min(r.min for r in items)
        return {code: source.transform(v) for code, v in out.items()}
    if agg is SensingAggregation.active_alarms:
        counts = active_alarm_counts(session, source.metric)
        grouped_n = areas.roll_up(d.levels, counts)
        return {code: float(sum(ns)) for code, ns in grouped_n.items()}
    return _latest_values(session, d, source, areas, at, start)


def _latest_values(
    session: Session,
    d: IndicatorDefinition,
    source: SensingSource,
    areas: AreaSet,
    at: datetime,
    start: datetime,
) -> Values:
    at_ms, start_ms = to_ms(at), to_ms(start)
    # `sensing_latest` keeps only a device's newest reading, and the job runs a little after the
    # instant (up to a minute, more after a pause): a reading that came since, within one
    # refresh interval, stands for the device's value at the instant — left out, it would take
    # every device reporting more often than the job runs out of the counts (out of
    # online_share's denominator too). A newer one (an instant evaluated long after) is unknown
    # at the instant: that device is left out.
    until_ms = to_ms(at + d.refresh)
    devices = [
        x for x in latest_per_device(session, source.metric) if x.ts is None or x.ts <= until_ms
    ]
    grouped = areas.roll_up(d.levels, ((x.area_code, x) for x in devices))
    out: Values = {}
    agg = source.aggregation
    for code, items in grouped.items():
        if not items:
            out[code] = None
            continue
        online = [
            x for x in items if x.ts is not None and at_ms - x.ts <= x.inactivity_seconds * 1000
        ]
        if agg is SensingAggregation.online_share:
            out[code] = len(online) / len(items)
        elif agg is SensingAggregation.count_above:
            assert source.above is not None
            out[code] = float(sum(1 for x in online if (x.value or 0) >= source.above))
        elif agg is SensingAggregation.last:
            fresh = [x for x in items if x.ts is not None and x.ts > start_ms]
            out[code] = max(fresh, key=lambda x: x.ts or 0).value if fresh else None
        else:  # traffic_index: each flow sensor stands for one arterial segment of 1 km
            fresh = [x for x in items if x.ts is not None and x.ts > start_ms]
            segs = [
                SegmentFlow(RoadClass.arterial, 1.0, 1.0, max(0.0, x.value or 0)) for x in fresh
            ]
            out[code] = network_tpi(segs).tpi if segs else None
    return {code: source.transform(v) for code, v in out.items()}


# --- imported series ----------------------------------------------------------------------------


def series_values(
    session: Session, d: IndicatorDefinition, source: SeriesSource, areas: AreaSet, at: datetime
) -> Values:
    since = at - d.nodata_intervals * d.refresh
    found = store.series_latest(session, source.series, since, at)
    return {ref.code: found.get(ref.code) for ref in areas.at_levels(d.levels)}
