"""The YAML registry: a round trip, and every refusal naming its indicator and field."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import yaml

from cityops.insight.vitals.aqi import AqiItem
from cityops.insight.vitals.definitions import (
    ActiveHours,
    AlertLevel,
    CaseSource,
    DefinitionError,
    Direction,
    FiringAction,
    FormulaSource,
    SensingAggregation,
    SensingSource,
    SpatialLevel,
    Thresholds,
)
from cityops.insight.vitals.registry import (
    dump_definitions,
    import_yaml,
    parse_definition,
    parse_definitions,
    parse_duration,
)
from cityops.insight.vitals.serialise import format_duration
from cityops.kernel.clock import SHANGHAI
from cityops.kernel.errors import ValidationFailed


def indicator(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "pm25",
        "name": {"zh": "PM2.5 浓度", "en": "PM2.5"},
        "unit": "µg/m³",
        "category": "weather_environment",
        "source": "sensing",
        "metric": "pm25",
        "aggregation": "mean",
        "refresh": "1h",
        "levels": ["city", "district"],
        "direction": "higher_is_worse",
        "thresholds": {"blue": 75, "yellow": 115, "orange": 150, "red": 250},
    }
    for key, value in changes.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def document(*items: dict[str, Any], version: int = 1) -> str:
    return yaml.safe_dump({"version": version, "indicators": list(items)}, allow_unicode=True)


def test_a_definition_is_read_field_by_field() -> None:
    d = parse_definition(
        indicator(
            window="24h",
            iaqi="pm25_24h",
            baselines=["year_on_year", "same_hour_last_week"],
            for_evaluations=3,
            resolve_evaluations=2,
            nodata_intervals=4,
            on_firing={"action": "alarm", "min_level": "orange"},
            description="test",
        )
    )
    assert d.code == "pm25"
    assert (d.name_zh, d.name_en, d.unit) == ("PM2.5 浓度", "PM2.5", "µg/m³")
    assert d.source == SensingSource(
        "pm25", SensingAggregation.mean, timedelta(hours=24), None, AqiItem.pm25_24h
    )
    assert d.refresh == timedelta(hours=1)
    assert d.levels == (SpatialLevel.city, SpatialLevel.district)
    assert d.thresholds == Thresholds(Direction.higher_is_worse, 75, 115, 150, 250)
    assert (d.for_evaluations, d.resolve_evaluations, d.nodata_intervals) == (3, 2, 4)
    assert d.on_firing.action is FiringAction.alarm
    assert d.on_firing.min_level is AlertLevel.orange
    assert d.finest_level is SpatialLevel.district


def test_sensing_iaqi_transform() -> None:
    source = parse_definition(indicator(iaqi="pm25_24h")).source
    assert isinstance(source, SensingSource)
    assert source.transform(40) == 57
    assert source.transform(None) is None
    so2 = parse_definition(indicator(metric="so2", iaqi="so2_1h")).source
    assert isinstance(so2, SensingSource)
    assert so2.transform(900) is None  # HJ 633 note 2
    plain = parse_definition(indicator()).source
    assert isinstance(plain, SensingSource)
    assert plain.transform(40) == 40


def test_other_sources() -> None:
    case = parse_definition(indicator(source="cases", metric="rework_rate", aggregation=...))
    assert case.source == CaseSource("rework_rate")
    formula = parse_definition(
        indicator(
            code="aqi", source="formula", expression="max(aa, bb)", metric=..., aggregation=...
        )
    )
    assert isinstance(formula.source, FormulaSource)
    assert formula.source.formula.references == {"aa", "bb"}


def test_round_trip_through_yaml() -> None:
    text = document(
        indicator(window="8h", iaqi="o3_8h", baselines=["period_on_period"], precision=0),
        indicator(code="waterlogging", metric="water_depth", aggregation="count_above", above=0.15,
                  on_firing={"action": "case", "min_level": "yellow", "category": "C0101"}),
        indicator(code="aa", source="cases", metric="closure_rate", aggregation=...,
                  direction="higher_is_better",
                  thresholds={"blue": 0.95, "orange": 0.8}),
        indicator(code="bb", source="series", series="weather.rain", metric=..., aggregation=...,
                  thresholds=..., refresh="1d"),
        indicator(code="cc", source="formula", expression="aa * 100 + max(bb, pm25)",
                  metric=..., aggregation=..., refresh="90s", description="derived"),
        version=7,
    )  # fmt: skip
    first = parse_definitions(text)
    again = parse_definitions(dump_definitions(first))
    assert again == first
    assert again.version == 7
    assert dump_definitions(again) == dump_definitions(first)


def test_durations() -> None:
    assert parse_duration("30s") == timedelta(seconds=30)
    assert parse_duration("15m") == timedelta(minutes=15)
    assert parse_duration("2d") == timedelta(days=2)
    for bad in ("0m", "1w", "1.5h", "h", 5, None):
        with pytest.raises(ValueError, match="a duration like"):
            parse_duration(bad)


REFUSALS: list[tuple[dict[str, Any], str]] = [
    (indicator(code="PM25"), "code"),
    (indicator(code="max"), "code"),
    (indicator(code=7), "code"),
    (indicator(name={"zh": "只有中文"}), "name"),
    (indicator(name={"zh": "", "en": "x"}), "name.zh"),
    (indicator(name={"zh": "x", "en": None}), "name.en"),
    (indicator(name="PM2.5"), "name"),
    (indicator(unit=...), "unit"),
    (indicator(category="weather"), "category"),
    (indicator(source="database"), "source"),
    (indicator(source=...), "source"),
    (indicator(metric=...), "metric"),
    (indicator(aggregation="median"), "aggregation"),
    (indicator(aggregation="count_above"), "above"),
    (indicator(above=1), "above"),
    (indicator(aggregation="count_above", above="high"), "above"),
    (indicator(window="a day"), "window"),
    (indicator(iaqi="pm25_1h"), "iaqi"),
    (indicator(series="x"), "series"),
    (indicator(colour="red"), "colour"),
    (indicator(refresh="soon"), "refresh"),
    (indicator(refresh=...), "refresh"),
    (indicator(levels=[]), "levels"),
    (indicator(levels="city"), "levels"),
    (indicator(levels=["city", "city"]), "levels"),
    (indicator(levels=["grid", "city"]), "levels"),
    (indicator(levels=["city", "county"]), "levels"),
    (indicator(direction="up"), "direction"),
    (indicator(thresholds={}), "thresholds"),
    (indicator(thresholds=[75, 115]), "thresholds"),
    (indicator(thresholds={"green": 1}), "thresholds"),
    (indicator(thresholds={"blue": "75"}), "thresholds.blue"),
    (indicator(thresholds={"blue": True}), "thresholds.blue"),
    (indicator(thresholds={"blue": 115, "yellow": 75}), "thresholds"),
    (indicator(thresholds={"blue": 75, "red": 75}), "thresholds"),
    (indicator(direction="higher_is_better"), "thresholds"),
    (indicator(baselines=["last_month"]), "baselines"),
    (indicator(baselines=["year_on_year", "year_on_year"]), "baselines"),
    (indicator(for_evaluations=0), "for_evaluations"),
    (indicator(for_evaluations=1.5), "for_evaluations"),
    (indicator(resolve_evaluations=True), "resolve_evaluations"),
    (indicator(nodata_intervals=-1), "nodata_intervals"),
    (indicator(precision=-1), "precision"),
    (indicator(description=3), "description"),
    (indicator(on_firing="alarm"), "on_firing"),
    (indicator(on_firing={"action": "alarm", "when": "now"}), "on_firing"),
    (indicator(on_firing={"action": "page"}), "on_firing.action"),
    (indicator(on_firing={"action": "alarm", "min_level": "pink"}), "on_firing.min_level"),
    (indicator(on_firing={"action": "case"}), "on_firing.category"),
    (indicator(on_firing={"action": "alarm", "category": "C0101"}), "on_firing.category"),
    (indicator(thresholds=..., on_firing={"action": "alarm"}), "on_firing"),
    (indicator(source="cases", metric="speed", aggregation=...), "metric"),
    (indicator(source="cases", aggregation=...), "metric"),
    (indicator(source="appeals", metric="likes", aggregation=...), "metric"),
    (indicator(source="series", metric=..., aggregation=...), "series"),
    (
        indicator(source="formula", expression="open('x')", metric=..., aggregation=...),
        "expression",
    ),
    (indicator(source="formula", metric=..., aggregation=...), "expression"),
    (indicator(source="formula", expression="aa", aggregation=...), "metric"),
    (indicator(active_hours="18:00"), "active_hours"),
    (indicator(active_hours="18-6"), "active_hours"),
    (indicator(active_hours="24:00-06:00"), "active_hours"),
    (indicator(active_hours="18:60-06:00"), "active_hours"),
    (indicator(active_hours="8:00-18:00"), "active_hours"),
    (indicator(active_hours=" 18:00-06:00"), "active_hours"),
    (indicator(active_hours=1800), "active_hours"),
    (indicator(active_hours=["18:00", "06:00"]), "active_hours"),
    (indicator(active_hours="18:00-18:00"), "active_hours"),  # empty or all day: unclear
    # an hourly indicator is evaluated on the hour: 18:10-18:50 holds no instant
    (indicator(active_hours="18:10-18:50"), "active_hours"),
    # a daily one at local midnight only
    (indicator(refresh="1d", active_hours="08:00-20:00"), "active_hours"),
]


@pytest.mark.parametrize(("data", "field"), REFUSALS)
def test_refusals_name_the_indicator_and_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    error = caught.value
    assert isinstance(error, ValidationFailed)
    assert error.code == "bad_indicator_definition"
    assert error.field == field
    code = data.get("code")
    assert error.indicator == (code if isinstance(code, str) else "?")
    assert f"{error.indicator}: {field}:" in error.message


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("indicators: [", "document"),
        ("- a\n- b\n", "document"),
        ("version: 1\nindicators: []\nowner: me\n", "document"),
        ("version: 1\n", "indicators"),
        ("version: 0\nindicators: []\n", "version"),
        ("version: one\nindicators: []\n", "version"),
        ("version: 1\nindicators: [3]\n", "indicator"),
    ],
)
def test_document_refusals(text: str, field: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definitions(text)
    assert caught.value.field == field


def test_duplicate_codes_are_refused() -> None:
    with pytest.raises(DefinitionError, match="defined twice") as caught:
        parse_definitions(document(indicator(), indicator()))
    assert (caught.value.indicator, caught.value.field) == ("pm25", "code")


def test_a_formula_may_name_only_defined_indicators() -> None:
    text = document(
        indicator(code="aa", source="formula", expression="pm25 + nope",
                  metric=..., aggregation=...),
        indicator(),
    )  # fmt: skip
    with pytest.raises(DefinitionError, match="unknown indicator nope") as caught:
        parse_definitions(text)
    assert (caught.value.indicator, caught.value.field) == ("aa", "expression")


def test_yaml_tags_are_not_constructed() -> None:
    with pytest.raises(DefinitionError, match="not YAML"):
        parse_definitions("version: !!python/object/apply:os.system ['true']\nindicators: []\n")


def test_import_yaml_bumps_the_version_and_may_name_current_indicators() -> None:
    current = parse_definitions(document(indicator(), version=4))
    text = document(
        indicator(thresholds={"blue": 50, "red": 250}),
        indicator(code="pm25_x2", source="formula", expression="pm25 * 2",
                  metric=..., aggregation=...),
        version=1,
    )  # fmt: skip
    result = import_yaml(current, text)
    assert (result.added, result.changed, result.unchanged) == (("pm25_x2",), ("pm25",), ())
    assert result.definitions.version == 5
    assert import_yaml(result.definitions, text).definitions.version == 5


def test_threshold_levels() -> None:
    worse = Thresholds(Direction.higher_is_worse, blue=1, orange=5)
    assert [worse.level_of(v) for v in (0, 1, 4.9, 5, 99)] == [
        None,
        AlertLevel.blue,
        AlertLevel.blue,
        AlertLevel.orange,
        AlertLevel.orange,
    ]
    better = Thresholds(Direction.higher_is_better, yellow=0.9, red=0.8)
    assert [better.level_of(v) for v in (1, 0.9, 0.85, 0.8)] == [
        None,
        AlertLevel.yellow,
        AlertLevel.yellow,
        AlertLevel.red,
    ]


def test_durations_are_written_in_their_largest_exact_unit() -> None:
    assert [format_duration(timedelta(seconds=s)) for s in (30, 90, 300, 3600, 86400)] == [
        "30s",
        "90s",
        "5m",
        "1h",
        "1d",
    ]
    with pytest.raises(ValueError, match="positive"):
        format_duration(timedelta(0))


def _local(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 7, 1, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def test_active_hours_are_read_and_written_back() -> None:
    plain = parse_definition(indicator())
    assert plain.active_hours is None
    day = parse_definition(indicator(active_hours="08:30-17:00"))
    assert day.active_hours == ActiveHours(time(8, 30), time(17, 0))
    # 15-minute steps: 23:45 is an instant inside 23:40-23:59
    late = parse_definition(indicator(refresh="15m", active_hours="23:40-23:59"))
    assert late.active_hours == ActiveHours(time(23, 40), time(23, 59))
    # a daily indicator is evaluated at local midnight, inside hours that wrap it
    daily = parse_definition(indicator(refresh="1d", active_hours="22:00-02:00"))
    assert daily.active_hours is not None
    text = document(indicator(active_hours="18:00-06:00"), indicator(code="pm10"))
    first = parse_definitions(text)
    assert "active_hours: 18:00-06:00" in dump_definitions(first)
    assert parse_definitions(dump_definitions(first)) == first
    assert "active_hours" not in dump_definitions(parse_definitions(document(indicator())))


def test_active_hours_hold_the_start_not_the_end_in_shanghai() -> None:
    day = ActiveHours(time(8, 30), time(17, 0))
    assert [day.contains(_local(h, m)) for h, m in ((8, 29), (8, 30), (16, 59), (17, 0))] == [
        False, True, True, False,
    ]  # fmt: skip
    # 10:00 UTC is 18:00 in Shanghai: the hours are local, not UTC
    assert not day.contains(datetime(2026, 7, 1, 10, 0, tzinfo=UTC))


def test_active_hours_may_wrap_midnight() -> None:
    night = ActiveHours(time(18), time(6))
    inside = [(18, 0), (20, 0), (23, 59), (0, 0), (3, 0), (5, 59)]
    outside = [(6, 0), (9, 0), (12, 0), (17, 59)]
    assert all(night.contains(_local(h, m)) for h, m in inside)
    assert not any(night.contains(_local(h, m)) for h, m in outside)
    assert night.text == "18:00-06:00"
