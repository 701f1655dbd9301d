"""The demo catalogue: it loads, has at least 40 indicators with unique codes across every
category, names the indicators the operation centre needs, its AQI formula agrees with the
HJ 633 computation, and every sensing indicator reads a metric that a shipped device type
reports, in that metric's unit and range."""

from __future__ import annotations

import itertools
from importlib import resources

import pytest

from cityops.insight.indicators import INDICATORS
from cityops.insight.vitals.aqi import AqiItem, hourly_aqi
from cityops.insight.vitals.definitions import (
    AppealSource,
    CaseSource,
    FormulaSource,
    IndicatorDefinition,
    SensingAggregation,
    SensingSource,
    SourceKind,
    VitalCategory,
)
from cityops.insight.vitals.registry import (
    dump_definitions,
    import_yaml,
    load_catalog,
    parse_definitions,
)
from cityops.sensing.public import shipped_types

CATALOG = load_catalog()


def test_at_least_40_indicators_with_unique_codes() -> None:
    assert len(CATALOG) >= 40
    assert len(set(CATALOG.codes)) == len(CATALOG)


def test_every_category_and_source_kind_is_used() -> None:
    assert {d.category for d in CATALOG} == set(VitalCategory)
    assert {d.source.kind for d in CATALOG} == set(SourceKind)


def test_the_catalogue_survives_a_round_trip_and_a_re_import() -> None:
    assert parse_definitions(dump_definitions(CATALOG)) == CATALOG
    text = resources.files("cityops.insight.vitals").joinpath("catalog.yaml").read_text("utf-8")
    result = import_yaml(CATALOG, text)
    assert (result.added, result.changed, result.definitions.version) == ((), (), CATALOG.version)


@pytest.mark.parametrize(
    ("code", "metric"),
    [
        ("case_registration_rate", "registration_rate"),  # 立案率
        ("case_dispatch_rate", "dispatch_rate"),  # 派遣率
        ("case_closure_rate", "closure_rate"),  # 结案率
        ("case_on_time_closure_rate", "on_time_closure_rate"),  # 按期结案率
        ("case_rework_rate", "rework_rate"),  # 返工率
        ("case_extension_rate", "extension_rate"),  # 延期率
    ],
)
def test_case_rates_read_the_case_indicators(code: str, metric: str) -> None:
    d = CATALOG.get(code)
    assert d is not None
    assert d.source == CaseSource(metric)
    assert metric in {i.key for i in INDICATORS}


@pytest.mark.parametrize(
    ("code", "metric"),
    [
        ("hotline_accepted", "accepted"),  # 受理量
        ("hotline_closed_on_time_rate", "closed_on_time_rate"),  # 按时办结率
        ("hotline_satisfaction_rate", "satisfaction_rate"),  # 满意率
        ("hotline_reply_rate", "reply_rate"),  # 回复率
    ],
)
def test_hotline_indicators(code: str, metric: str) -> None:
    d = CATALOG.get(code)
    assert d is not None
    assert d.source == AppealSource(metric)


@pytest.mark.parametrize(
    ("code", "aggregation"),
    [
        ("traffic_index", SensingAggregation.traffic_index),
        ("waterlogging_points", SensingAggregation.count_above),
        ("manhole_alarms", SensingAggregation.active_alarms),
        ("device_online_rate", SensingAggregation.online_share),
    ],
)
def test_sensing_indicators(code: str, aggregation: SensingAggregation) -> None:
    d = CATALOG.get(code)
    assert d is not None
    assert isinstance(d.source, SensingSource)
    assert d.source.aggregation is aggregation


SENSING = [d for d in CATALOG if isinstance(d.source, SensingSource)]
SPECS = {spec.key: spec for kind in shipped_types() for spec in kind.metrics}


@pytest.mark.parametrize("d", SENSING, ids=lambda d: d.code)
def test_every_sensing_indicator_reads_a_metric_a_shipped_device_type_reports(
    d: IndicatorDefinition,
) -> None:
    assert isinstance(d.source, SensingSource)
    metric = d.source.metric
    if metric == "*":
        assert d.source.aggregation is SensingAggregation.online_share
        return
    reported_by = [k.code for k in shipped_types() if metric in k.spec_map()]
    assert reported_by, f"{d.code}: no shipped device type reports {metric!r}"
    units = {k.spec_map()[metric].unit for k in shipped_types() if metric in k.spec_map()}
    assert len(units) == 1, f"{metric!r} is reported in several units: {units}"


@pytest.mark.parametrize("d", SENSING, ids=lambda d: d.code)
def test_sensing_thresholds_are_in_the_unit_and_range_the_devices_report(
    d: IndicatorDefinition,
) -> None:
    """A value aggregated from readings (mean/max/min/last, no IAQI) is in the metric's unit, a
    share of 1/0 states is a ratio; thresholds and `above` lie inside the metric's range."""
    assert isinstance(d.source, SensingSource)
    spec = SPECS.get(d.source.metric)
    if spec is None:
        return  # "*" (checked above)
    aggregation = d.source.aggregation
    if d.source.iaqi is None and aggregation in (
        SensingAggregation.mean,
        SensingAggregation.max,
        SensingAggregation.min,
        SensingAggregation.last,
    ):
        if spec.min_value == 0 and spec.max_value == 1 and spec.unit == "":
            assert d.unit == "ratio", d.code
        else:
            assert d.unit == spec.unit, (d.code, d.unit, spec.unit)
        t = d.thresholds
        levels = (t.blue, t.yellow, t.orange, t.red) if t is not None else ()
        bounds = [v for v in levels if v is not None]
        assert spec.min_value is not None
        assert spec.max_value is not None
        assert all(spec.min_value <= v <= spec.max_value for v in bounds), d.code
    if aggregation is SensingAggregation.count_above:
        assert d.source.above is not None
        assert spec.min_value is not None
        assert spec.max_value is not None
        assert spec.min_value < d.source.above <= spec.max_value, d.code


@pytest.mark.parametrize(
    ("code", "metric", "above"),
    [
        ("waterlogging_points", "depth", 15.0),  # cm: a 积水点 from 15 cm
        ("bins_full", "fill", 90.0),  # %
        ("pumps_running", "pump_running", 1.0),  # each pump's latest state, not a sum
    ],
)
def test_counts_of_devices_use_the_devices_units(code: str, metric: str, above: float) -> None:
    d = CATALOG.get(code)
    assert d is not None
    assert isinstance(d.source, SensingSource)
    assert (d.source.metric, d.source.aggregation, d.source.above) == (
        metric,
        SensingAggregation.count_above,
        above,
    )


def test_aqi_is_the_largest_iaqi_of_the_real_time_items() -> None:
    aqi = CATALOG.get("aqi")
    assert aqi is not None
    assert isinstance(aqi.source, FormulaSource)
    items = set()
    for code in aqi.source.formula.references:
        d = CATALOG.get(code)
        assert d is not None
        assert isinstance(d.source, SensingSource)
        assert d.source.iaqi is not None
        items.add(d.source.iaqi)
    assert items == {
        AqiItem.so2_1h,
        AqiItem.no2_1h,
        AqiItem.co_1h,
        AqiItem.o3_1h,
        AqiItem.o3_8h,
        AqiItem.pm10_24h,
        AqiItem.pm25_24h,
    }


def _catalogue_aqi(concentrations: dict[str, float]) -> float | None:
    """The runtime's path: aggregate → IAQI transform → formula."""
    values: dict[str, float | None] = {}
    for d in CATALOG:
        if isinstance(d.source, SensingSource) and d.source.iaqi is not None:
            values[d.code] = d.source.transform(concentrations.get(d.source.iaqi.value))
    return CATALOG.evaluate_formulas(values)["aqi"]


@pytest.mark.parametrize(
    ("so2", "no2", "co", "o3_1h", "o3_8h", "pm10", "pm25"),
    list(
        itertools.product(
            [5, 640], [30, 250], [0.4, 12], [90, 950], [60, 850], [40, 380], [20, 180]
        )
    ),
)
def test_the_catalogue_formula_agrees_with_hj_633(
    so2: float, no2: float, co: float, o3_1h: float, o3_8h: float, pm10: float, pm25: float
) -> None:
    concentrations = {
        "so2_1h": so2,
        "no2_1h": no2,
        "co_1h": co,
        "o3_1h": o3_1h,
        "o3_8h": o3_8h,
        "pm10_24h": pm10,
        "pm25_24h": pm25,
    }
    expected = hourly_aqi(
        so2_1h=so2, no2_1h=no2, co_1h=co, o3_1h=o3_1h, o3_8h=o3_8h, pm10_24h=pm10, pm25_24h=pm25
    )
    assert _catalogue_aqi(concentrations) == expected.aqi
