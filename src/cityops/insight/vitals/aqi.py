"""The air quality index (空气质量指数, AQI) exactly as HJ 633-2012 prescribes.

HJ 633-2012《环境空气质量指数（AQI）技术规定（试行）》:

- Table 1 gives, for each IAQI level (0, 50, 100, 150, 200, 300, 400, 500), the concentration
  limit of each pollutant item: SO2, NO2, PM10, CO, PM2.5 as 24-hour averages; SO2, NO2, CO,
  O3 as 1-hour averages; O3 as the 8-hour moving average. CO is in mg/m³, everything else in
  µg/m³. The 1-hour limits of SO2, NO2 and CO are for the real-time report only; the daily
  report uses their 24-hour limits.
- Formula (1): IAQI_P = (IAQI_Hi − IAQI_Lo) / (BP_Hi − BP_Lo) × (C_P − BP_Lo) + IAQI_Lo, with
  BP_Lo ≤ C_P ≤ BP_Hi the two limits around the concentration. The result is rounded *up* to
  an integer (全部进位取整数); it is computed here in exact rational arithmetic, so 56.25 gives
  57 and an exact 57 never turns into 58 through a binary rounding error.
- Note 2 of Table 1: an SO2 1-hour average above 800 µg/m³ gets no 1-hour IAQI; SO2 is reported
  with the IAQI of its 24-hour average. Note 3: an O3 8-hour average above 800 µg/m³ gets no
  8-hour IAQI; O3 is reported with the IAQI of its 1-hour average.
- AQI = max of the IAQIs. Above 50, the item(s) with the largest IAQI are the primary pollutant
  (首要污染物), several when tied; items with IAQI above 100 are 超标污染物.
- Table 2 and Appendix A: six levels (优 … 严重污染) and their colours in RGB.

The standard gives no IAQI above 500: a concentration above the 500 limit is reported as 500
(the national platform shows it as 爆表); `iaqi` says so with `capped=True` on the result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

IAQI_STEPS: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)
"""The IAQI at each column of HJ 633-2012 Table 1."""


class Pollutant(StrEnum):
    so2 = "so2"  # 二氧化硫
    no2 = "no2"  # 二氧化氮
    pm10 = "pm10"  # 颗粒物（粒径小于等于10 µm）
    co = "co"  # 一氧化碳
    o3 = "o3"  # 臭氧
    pm25 = "pm25"  # 颗粒物（粒径小于等于2.5 µm）


class AqiItem(StrEnum):
    """One column of Table 1: a pollutant with its averaging time."""

    so2_24h = "so2_24h"
    so2_1h = "so2_1h"
    no2_24h = "no2_24h"
    no2_1h = "no2_1h"
    pm10_24h = "pm10_24h"
    co_24h = "co_24h"
    co_1h = "co_1h"
    o3_1h = "o3_1h"
    o3_8h = "o3_8h"
    pm25_24h = "pm25_24h"

    @property
    def pollutant(self) -> Pollutant:
        return Pollutant(self.value.rsplit("_", 1)[0])

    @property
    def unit(self) -> str:
        return "mg/m³" if self.pollutant is Pollutant.co else "µg/m³"

    @property
    def label(self) -> str:
        """As bulletins write it: PM2.5, SO2, O3-8h (the averaging time only where the pollutant
        has two items in one report, i.e. O3)."""
        names = {
            Pollutant.so2: "SO2",
            Pollutant.no2: "NO2",
            Pollutant.pm10: "PM10",
            Pollutant.co: "CO",
            Pollutant.o3: "O3",
            Pollutant.pm25: "PM2.5",
        }
        name = names[self.pollutant]
        return f"{name}-{self.value.rsplit('_', 1)[1]}" if self.pollutant is Pollutant.o3 else name


BREAKPOINTS: Mapping[AqiItem, tuple[float, ...]] = {
    # HJ 633-2012 Table 1: the concentration limit at IAQI 0, 50, 100, 150, 200, 300, 400, 500.
    # SO2 1-hour stops at IAQI 200 (800 µg/m³, note 2); O3 8-hour stops at IAQI 300 (note 3).
    AqiItem.so2_24h: (0, 50, 150, 475, 800, 1600, 2100, 2620),
    AqiItem.so2_1h: (0, 150, 500, 650, 800),
    AqiItem.no2_24h: (0, 40, 80, 180, 280, 565, 750, 940),
    AqiItem.no2_1h: (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    AqiItem.pm10_24h: (0, 50, 150, 250, 350, 420, 500, 600),
    AqiItem.co_24h: (0, 2, 4, 14, 24, 36, 48, 60),
    AqiItem.co_1h: (0, 5, 10, 35, 60, 90, 120, 150),
    AqiItem.o3_1h: (0, 160, 200, 300, 400, 800, 1000, 1200),
    AqiItem.o3_8h: (0, 100, 160, 215, 265, 800),
    AqiItem.pm25_24h: (0, 35, 75, 115, 150, 250, 350, 500),
}
NO_IAQI_ABOVE: Mapping[AqiItem, float] = {AqiItem.so2_1h: 800, AqiItem.o3_8h: 800}
"""Notes 2 and 3: above these the item gets no IAQI of its own."""


@dataclass(frozen=True, slots=True)
class AqiLevel:
    """One row of HJ 633-2012 Table 2 with its Appendix A colour."""

    grade: int  # 1 … 6 (一级 … 六级)
    low: int
    high: int | None  # None: no upper bound (严重污染)
    name_zh: str
    name_en: str
    colour_zh: str
    rgb: tuple[int, int, int]

    @property
    def hex(self) -> str:
        return "#{:02X}{:02X}{:02X}".format(*self.rgb)


AQI_LEVELS: tuple[AqiLevel, ...] = (
    AqiLevel(1, 0, 50, "优", "Excellent", "绿色", (0, 228, 0)),
    AqiLevel(2, 51, 100, "良", "Good", "黄色", (255, 255, 0)),
    AqiLevel(3, 101, 150, "轻度污染", "Lightly polluted", "橙色", (255, 126, 0)),
    AqiLevel(4, 151, 200, "中度污染", "Moderately polluted", "红色", (255, 0, 0)),
    AqiLevel(5, 201, 300, "重度污染", "Heavily polluted", "紫色", (153, 0, 76)),
    AqiLevel(6, 301, None, "严重污染", "Severely polluted", "褐红色", (126, 0, 35)),
)


def aqi_level(aqi: int) -> AqiLevel:
    """The level of an AQI (an integer, as the standard reports it)."""
    if aqi < 0:
        raise ValueError(f"an AQI is never negative: {aqi}")
    for level in AQI_LEVELS:
        if level.high is None or aqi <= level.high:
            return level
    raise AssertionError("unreachable: the last level has no upper bound")


def _exact(value: float) -> Fraction:
    """The decimal the reading was written as (0.1 is one tenth, not 0.1000000000000000055)."""
    return Fraction(Decimal(repr(value))) if isinstance(value, float) else Fraction(value)


def iaqi_exact(item: AqiItem, concentration: float) -> Fraction | None:
    """Formula (1) before rounding; None where notes 2/3 give the item no IAQI. Above the
    IAQI-500 limit the result is 500."""
    if math.isnan(concentration) or math.isinf(concentration):
        raise ValueError(f"{item.value}: not a concentration: {concentration}")
    if concentration < 0:
        raise ValueError(f"{item.value}: a concentration is never negative: {concentration}")
    limit = NO_IAQI_ABOVE.get(item)
    if limit is not None and concentration > limit:
        return None
    c = _exact(concentration)
    points = BREAKPOINTS[item]
    for i in range(1, len(points)):
        bp_lo, bp_hi = Fraction(points[i - 1]), Fraction(points[i])
        if c <= bp_hi:
            lo, hi = IAQI_STEPS[i - 1], IAQI_STEPS[i]
            return (hi - lo) / (bp_hi - bp_lo) * (c - bp_lo) + lo
    return Fraction(IAQI_STEPS[len(points) - 1])


def iaqi(item: AqiItem, concentration: float) -> int | None:
    """The IAQI of one item, rounded up (进位取整数); None where notes 2/3 give none."""
    exact = iaqi_exact(item, concentration)
    return None if exact is None else math.ceil(exact)


@dataclass(frozen=True)
class AqiResult:
    """AQI with what bulletins print beside it. `aqi` and `level` are None when nothing was
    measured."""

    aqi: int | None
    level: AqiLevel | None
    primary: tuple[AqiItem, ...]  # 首要污染物 (empty when AQI ≤ 50)
    exceeding: tuple[AqiItem, ...]  # 超标污染物 (IAQI > 100)
    iaqis: Mapping[AqiItem, int] = field(default_factory=dict)
    capped: tuple[AqiItem, ...] = ()  # items whose concentration was above the IAQI-500 limit

    @property
    def primary_label(self) -> str:
        """e.g. "PM2.5" or "PM2.5, O3-8h"; "—" when there is none."""
        return ", ".join(item.label for item in self.primary) or "—"


def aqi_of(iaqis: Mapping[AqiItem, int], *, capped: tuple[AqiItem, ...] = ()) -> AqiResult:
    """AQI, level, primary and exceeding pollutants from the items' IAQIs."""
    if not iaqis:
        return AqiResult(None, None, (), (), {}, capped)
    order = list(AqiItem)
    value = max(iaqis.values())
    primary = tuple(sorted((i for i, v in iaqis.items() if v == value), key=order.index))
    exceeding = tuple(sorted((i for i, v in iaqis.items() if v > 100), key=order.index))
    return AqiResult(
        aqi=value,
        level=aqi_level(value),
        primary=primary if value > 50 else (),
        exceeding=exceeding,
        iaqis=dict(iaqis),
        capped=capped,
    )


def _compute(concentrations: Mapping[AqiItem, float | None]) -> AqiResult:
    iaqis: dict[AqiItem, int] = {}
    capped: list[AqiItem] = []
    for item, concentration in concentrations.items():
        if concentration is None:
            continue
        value = iaqi(item, concentration)
        if value is None:
            continue  # notes 2/3: the item is replaced by its other averaging time
        iaqis[item] = value
        if concentration > BREAKPOINTS[item][-1]:
            capped.append(item)
    return aqi_of(iaqis, capped=tuple(capped))


def daily_aqi(
    *,
    so2: float | None = None,
    no2: float | None = None,
    pm10: float | None = None,
    co: float | None = None,
    o3_1h_max: float | None = None,
    o3_8h_max: float | None = None,
    pm25: float | None = None,
) -> AqiResult:
    """The daily report (日报): 24-hour averages of SO2, NO2, PM10, CO (mg/m³) and PM2.5, the
    day's largest O3 1-hour average and largest O3 8-hour moving average. A None is an item not
    measured. An O3 8-hour value above 800 µg/m³ is replaced by the 1-hour one (note 3)."""
    if o3_8h_max is not None and o3_8h_max > NO_IAQI_ABOVE[AqiItem.o3_8h] and o3_1h_max is None:
        raise ValueError("O3 8-hour above 800 µg/m³: the 1-hour value is needed (note 3)")
    return _compute(
        {
            AqiItem.so2_24h: so2,
            AqiItem.no2_24h: no2,
            AqiItem.pm10_24h: pm10,
            AqiItem.co_24h: co,
            AqiItem.o3_1h: o3_1h_max,
            AqiItem.o3_8h: o3_8h_max,
            AqiItem.pm25_24h: pm25,
        }
    )


def hourly_aqi(
    *,
    so2_1h: float | None = None,
    no2_1h: float | None = None,
    co_1h: float | None = None,
    o3_1h: float | None = None,
    o3_8h: float | None = None,
    pm10_24h: float | None = None,
    pm25_24h: float | None = None,
    so2_24h: float | None = None,
) -> AqiResult:
    """The real-time report (实时报): 1-hour averages of SO2, NO2, CO and O3, the O3 8-hour
    moving average, and PM10 / PM2.5 against their 24-hour limits (Table 1 has no 1-hour limits
    for particles; the platform feeds them the 24-hour moving average). An SO2 1-hour value above
    800 µg/m³ is replaced by the IAQI of `so2_24h` (note 2), which is then required."""
    so2_24h_used: float | None = None
    if so2_1h is not None and so2_1h > NO_IAQI_ABOVE[AqiItem.so2_1h]:
        if so2_24h is None:
            raise ValueError("SO2 1-hour above 800 µg/m³: the 24-hour average is needed (note 2)")
        so2_24h_used = so2_24h
    if o3_8h is not None and o3_8h > NO_IAQI_ABOVE[AqiItem.o3_8h] and o3_1h is None:
        raise ValueError("O3 8-hour above 800 µg/m³: the 1-hour value is needed (note 3)")
    return _compute(
        {
            AqiItem.so2_1h: so2_1h,
            AqiItem.so2_24h: so2_24h_used,
            AqiItem.no2_1h: no2_1h,
            AqiItem.co_1h: co_1h,
            AqiItem.o3_1h: o3_1h,
            AqiItem.o3_8h: o3_8h,
            AqiItem.pm10_24h: pm10_24h,
            AqiItem.pm25_24h: pm25_24h,
        }
    )
