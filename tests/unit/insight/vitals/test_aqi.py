"""AQI against HJ 633-2012: Table 1 written out again by hand, every breakpoint edge, the
rounding rule, notes 2 and 3, primary and exceeding pollutants, the six levels and colours."""

from __future__ import annotations

import math

import pytest

from cityops.insight.vitals.aqi import (
    AQI_LEVELS,
    BREAKPOINTS,
    IAQI_STEPS,
    AqiItem,
    Pollutant,
    aqi_level,
    aqi_of,
    daily_aqi,
    hourly_aqi,
    iaqi,
    iaqi_exact,
)

# HJ 633-2012 Table 1, transcribed independently of the module: IAQI → limit per item.
TABLE_1 = {
    "so2_24h": {0: 0, 50: 50, 100: 150, 150: 475, 200: 800, 300: 1600, 400: 2100, 500: 2620},
    "so2_1h": {0: 0, 50: 150, 100: 500, 150: 650, 200: 800},
    "no2_24h": {0: 0, 50: 40, 100: 80, 150: 180, 200: 280, 300: 565, 400: 750, 500: 940},
    "no2_1h": {0: 0, 50: 100, 100: 200, 150: 700, 200: 1200, 300: 2340, 400: 3090, 500: 3840},
    "pm10_24h": {0: 0, 50: 50, 100: 150, 150: 250, 200: 350, 300: 420, 400: 500, 500: 600},
    "co_24h": {0: 0, 50: 2, 100: 4, 150: 14, 200: 24, 300: 36, 400: 48, 500: 60},
    "co_1h": {0: 0, 50: 5, 100: 10, 150: 35, 200: 60, 300: 90, 400: 120, 500: 150},
    "o3_1h": {0: 0, 50: 160, 100: 200, 150: 300, 200: 400, 300: 800, 400: 1000, 500: 1200},
    "o3_8h": {0: 0, 50: 100, 100: 160, 150: 215, 200: 265, 300: 800},
    "pm25_24h": {0: 0, 50: 35, 100: 75, 150: 115, 200: 150, 300: 250, 400: 350, 500: 500},
}
EDGES = [
    (AqiItem(item), step, limit) for item, row in TABLE_1.items() for step, limit in row.items()
]


def test_the_module_table_is_table_1() -> None:
    assert set(TABLE_1) == {item.value for item in AqiItem}
    for item in AqiItem:
        row = TABLE_1[item.value]
        assert BREAKPOINTS[item] == tuple(row.values())
        assert tuple(row) == IAQI_STEPS[: len(row)]


@pytest.mark.parametrize(("item", "step", "limit"), EDGES)
def test_every_breakpoint_gives_its_iaqi(item: AqiItem, step: int, limit: float) -> None:
    assert iaqi(item, limit) == step


# every limit but the last of each item (above it: 500, or notes 2/3 give no IAQI)
INNER_EDGES = [e for e in EDGES if e[2] != TABLE_1[e[0].value][max(TABLE_1[e[0].value])]]


@pytest.mark.parametrize(("item", "step", "limit"), INNER_EDGES)
def test_just_above_a_breakpoint_rounds_up_to_the_next_integer(
    item: AqiItem, step: int, limit: float
) -> None:
    above = limit + (0.001 if item.pollutant is Pollutant.co else 0.01)
    assert iaqi(item, above) == step + 1


@pytest.mark.parametrize(("item", "step", "limit"), [e for e in EDGES if e[1] > 0])
def test_just_below_a_breakpoint_is_still_that_breakpoints_iaqi(
    item: AqiItem, step: int, limit: float
) -> None:
    below = limit - (0.001 if item.pollutant is Pollutant.co else 0.01)
    assert iaqi(item, below) == step


@pytest.mark.parametrize(
    ("item", "concentration", "expected"),
    [
        # 50 + (100-50)/(75-35) × (40-35) = 56.25. A published explanation of the formula
        # (readke.com, "aqi是什么指数") works this example and prints 56, rounding to nearest;
        # HJ 633-2012 rounds every IAQI up (全部进位取整数), so it is 57.
        (AqiItem.pm25_24h, 40, 57),
        (AqiItem.pm10_24h, 160, 105),  # 100 + 50/100 × 10
        (AqiItem.no2_24h, 45, 57),  # 50 + 50/40 × 5 = 56.25
        (AqiItem.co_24h, 1.2, 30),  # 50/2 × 1.2
        (AqiItem.o3_1h, 150, 47),  # 50/160 × 150 = 46.875
        (AqiItem.o3_8h, 120, 67),  # 50 + 50/60 × 20 = 66.67
        (AqiItem.pm25_24h, 120, 158),  # 150 + 50/35 × 5 = 157.14
        (AqiItem.so2_24h, 300, 124),  # 100 + 50/325 × 150 = 123.08
        (AqiItem.o3_1h, 900, 350),  # 300 + 100/200 × 100
        # exact arithmetic: 200 + 100/70 × 2.1 is exactly 203 (binary floats: 203.00000000000003)
        (AqiItem.pm10_24h, 352.1, 203),
    ],
)
def test_worked_examples(item: AqiItem, concentration: float, expected: int) -> None:
    assert iaqi(item, concentration) == expected


def test_exact_value_before_rounding() -> None:
    assert iaqi_exact(AqiItem.pm25_24h, 40) == 56.25
    naive = (300 - 200) / (420 - 350) * (352.1 - 350) + 200
    assert math.ceil(naive) == 204  # what float arithmetic would print
    assert iaqi(AqiItem.pm10_24h, 352.1) == 203


def test_above_the_top_limit_is_reported_as_500() -> None:
    assert iaqi(AqiItem.pm25_24h, 650) == 500
    result = daily_aqi(pm25=650, pm10=80)
    assert result.aqi == 500
    assert result.capped == (AqiItem.pm25_24h,)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_not_a_concentration_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="pm25_24h"):
        iaqi(AqiItem.pm25_24h, bad)


def test_notes_2_and_3_give_no_iaqi_above_800() -> None:
    assert iaqi(AqiItem.so2_1h, 800) == 200
    assert iaqi(AqiItem.so2_1h, 800.1) is None
    assert iaqi(AqiItem.o3_8h, 800) == 300
    assert iaqi(AqiItem.o3_8h, 800.1) is None


def test_daily_report_worked_example() -> None:
    # A polluted winter day; each IAQI is worked out in test_worked_examples above.
    result = daily_aqi(so2=10, no2=45, pm10=160, co=1.2, o3_1h_max=150, o3_8h_max=120, pm25=120)
    assert dict(result.iaqis) == {
        AqiItem.so2_24h: 10,
        AqiItem.no2_24h: 57,
        AqiItem.pm10_24h: 105,
        AqiItem.co_24h: 30,
        AqiItem.o3_1h: 47,
        AqiItem.o3_8h: 67,
        AqiItem.pm25_24h: 158,
    }
    assert result.aqi == 158
    assert result.level is not None
    assert (result.level.name_zh, result.level.rgb) == ("中度污染", (255, 0, 0))
    assert result.primary == (AqiItem.pm25_24h,)
    assert result.primary_label == "PM2.5"
    assert result.exceeding == (AqiItem.pm10_24h, AqiItem.pm25_24h)


def test_tied_pollutants_are_all_primary() -> None:
    result = daily_aqi(pm25=75, pm10=150, no2=20)
    assert result.aqi == 100
    assert result.primary == (AqiItem.pm10_24h, AqiItem.pm25_24h)
    assert result.primary_label == "PM10, PM2.5"
    assert result.exceeding == ()  # 100 is not above 100


def test_no_primary_pollutant_at_50_or_below() -> None:
    result = daily_aqi(pm25=35, pm10=20)
    assert (result.aqi, result.primary, result.primary_label) == (50, (), "—")
    assert daily_aqi(pm25=35.01).primary == (AqiItem.pm25_24h,)  # 51


def test_o3_8h_above_800_is_reported_with_the_1_hour_value() -> None:
    result = daily_aqi(o3_1h_max=900, o3_8h_max=850, pm25=30)
    assert AqiItem.o3_8h not in result.iaqis
    assert (result.aqi, result.primary) == (350, (AqiItem.o3_1h,))
    assert result.primary_label == "O3-1h"
    assert result.level is not None
    assert result.level.grade == 6
    with pytest.raises(ValueError, match="note 3"):
        daily_aqi(o3_8h_max=850)


def test_so2_1h_above_800_is_reported_with_the_24_hour_value() -> None:
    result = hourly_aqi(so2_1h=900, so2_24h=300, no2_1h=50)
    assert AqiItem.so2_1h not in result.iaqis
    assert result.iaqis[AqiItem.so2_24h] == 124
    assert (result.aqi, result.primary) == (124, (AqiItem.so2_24h,))
    with pytest.raises(ValueError, match="note 2"):
        hourly_aqi(so2_1h=900)


def test_hourly_report_ignores_so2_24h_while_so2_1h_has_an_iaqi() -> None:
    result = hourly_aqi(so2_1h=100, so2_24h=300)
    assert dict(result.iaqis) == {AqiItem.so2_1h: 34}  # 50/150 × 100 = 33.3


def test_nothing_measured() -> None:
    result = daily_aqi()
    assert (result.aqi, result.level, result.primary) == (None, None, ())
    assert aqi_of({}).aqi is None


@pytest.mark.parametrize(
    ("aqi", "grade", "name", "rgb"),
    [
        (0, 1, "优", (0, 228, 0)),
        (50, 1, "优", (0, 228, 0)),
        (51, 2, "良", (255, 255, 0)),
        (100, 2, "良", (255, 255, 0)),
        (101, 3, "轻度污染", (255, 126, 0)),
        (150, 3, "轻度污染", (255, 126, 0)),
        (151, 4, "中度污染", (255, 0, 0)),
        (200, 4, "中度污染", (255, 0, 0)),
        (201, 5, "重度污染", (153, 0, 76)),
        (300, 5, "重度污染", (153, 0, 76)),
        (301, 6, "严重污染", (126, 0, 35)),
        (500, 6, "严重污染", (126, 0, 35)),
    ],
)
def test_levels_and_colours(aqi: int, grade: int, name: str, rgb: tuple[int, int, int]) -> None:
    level = aqi_level(aqi)
    assert (level.grade, level.name_zh, level.rgb) == (grade, name, rgb)


def test_level_table() -> None:
    assert [lv.colour_zh for lv in AQI_LEVELS] == ["绿色", "黄色", "橙色", "红色", "紫色", "褐红色"]
    assert [lv.hex for lv in AQI_LEVELS] == [
        "#00E400",
        "#FFFF00",
        "#FF7E00",
        "#FF0000",
        "#99004C",
        "#7E0023",
    ]
    with pytest.raises(ValueError, match="never negative"):
        aqi_level(-1)
