"""The words of city vital signs (城市体征): an indicator's definition and its parts.

An `IndicatorDefinition` says what a vital sign is (code, names, unit, category), where its value
comes from (`source`: a case query, a 12345 appeals query, a sensing aggregation, an imported
series or a formula over other indicators), how often and at which area levels it is computed,
which way is bad (`direction`), its four alert thresholds (蓝/黄/橙/红), the baselines it is
compared with (同比, 环比, same hour last week), how many evaluations make it fire or resolve,
the local hours it is evaluated in (`active_hours`, e.g. street lights at night only),
and what firing does (raise an alarm, open a case). Definitions are data: the YAML format and
its validation are in registry.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import ClassVar

from cityops.insight.vitals.aqi import AqiItem, iaqi
from cityops.insight.vitals.expression import Formula
from cityops.kernel.clock import SHANGHAI
from cityops.kernel.errors import ValidationFailed


class VitalCategory(StrEnum):
    weather_environment = "weather_environment"  # 气象环境
    traffic = "traffic"  # 交通
    supply = "supply"  # 保障供应
    safety_lifeline = "safety_lifeline"  # 城市安全·生命线
    city_order = "city_order"  # 市容秩序
    public_appeals = "public_appeals"  # 群众诉求
    facilities = "facilities"  # 设施运行

    @property
    def name_zh(self) -> str:
        return CATEGORY_NAMES_ZH[self]


CATEGORY_NAMES_ZH: dict[VitalCategory, str] = {
    VitalCategory.weather_environment: "气象环境",
    VitalCategory.traffic: "交通",
    VitalCategory.supply: "保障供应",
    VitalCategory.safety_lifeline: "城市安全·生命线",
    VitalCategory.city_order: "市容秩序",
    VitalCategory.public_appeals: "群众诉求",
    VitalCategory.facilities: "设施运行",
}


class SourceKind(StrEnum):
    cases = "cases"  # a query over the case engine's counts (数字城管)
    appeals = "appeals"  # a query over the 12345 citizen channel
    sensing = "sensing"  # an aggregation of device readings
    series = "series"  # a series imported from another system (weather, supply, …)
    formula = "formula"  # arithmetic over other indicators


class SensingAggregation(StrEnum):
    """How sensing readings of an area and a window become one value."""

    mean = "mean"
    max = "max"
    min = "min"
    sum = "sum"
    last = "last"
    count_above = "count_above"  # devices whose latest value is at or above `above`
    active_alarms = "active_alarms"  # active alarms about the metric (its values hold it)
    online_share = "online_share"  # share of active devices that reported within their interval
    traffic_index = "traffic_index"  # TPI over the area's segments (traffic_index.py)


APPEAL_METRICS: dict[str, str] = {
    "accepted": "受理量",
    "closed_on_time_rate": "按时办结率",
    "satisfaction_rate": "满意率",
    "reply_rate": "回复率",
    "repeat_rate": "重复诉求率",
    "contact_rate": "联系率",
}
"""The 12345 appeals metrics a definition may name (the appeals runtime answers these)."""


class SpatialLevel(StrEnum):
    """The area levels of geo (市 → 区 → 街道 → 社区 → 网格), coarse to fine."""

    city = "city"
    district = "district"
    street = "street"
    community = "community"
    grid = "grid"


class Direction(StrEnum):
    higher_is_worse = "higher_is_worse"
    higher_is_better = "higher_is_better"


class AlertLevel(StrEnum):
    """蓝/黄/橙/红, least to most severe."""

    blue = "blue"
    yellow = "yellow"
    orange = "orange"
    red = "red"

    @property
    def rank(self) -> int:
        return ALERT_LEVELS.index(self) + 1

    @property
    def name_zh(self) -> str:
        return {"blue": "蓝", "yellow": "黄", "orange": "橙", "red": "红"}[self.value]


ALERT_LEVELS: tuple[AlertLevel, ...] = tuple(AlertLevel)


class Baseline(StrEnum):
    year_on_year = "year_on_year"  # 同比: the same period last year
    period_on_period = "period_on_period"  # 环比: the period before
    same_hour_last_week = "same_hour_last_week"  # the same hour of the same weekday last week


class FiringAction(StrEnum):
    none = "none"  # shown on the board only
    alarm = "alarm"  # raise an alarm
    case = "case"  # open a case in `category`


@dataclass(frozen=True)
class Thresholds:
    """The value at which each level begins; a level may be left out (None). With
    higher_is_worse a level is reached at or above its value, with higher_is_better at or
    below; the values are strictly ordered from blue to red in that direction."""

    direction: Direction
    blue: float | None = None
    yellow: float | None = None
    orange: float | None = None
    red: float | None = None

    def of(self, level: AlertLevel) -> float | None:
        value: float | None = getattr(self, level.value)
        return value

    def defined(self) -> tuple[tuple[AlertLevel, float], ...]:
        return tuple((lv, v) for lv in ALERT_LEVELS if (v := self.of(lv)) is not None)

    def reached(self, level: AlertLevel, value: float) -> bool:
        bound = self.of(level)
        if bound is None:
            return False
        if self.direction is Direction.higher_is_worse:
            return value >= bound
        return value <= bound

    def level_of(self, value: float) -> AlertLevel | None:
        """The most severe level the value reaches; None below all of them."""
        found: AlertLevel | None = None
        for level, _ in self.defined():
            if self.reached(level, value):
                found = level
        return found


@dataclass(frozen=True)
class FiringPolicy:
    """What a firing indicator does once it fires at `min_level` or above."""

    action: FiringAction = FiringAction.none
    min_level: AlertLevel = AlertLevel.blue
    category: str | None = None  # the case category code (action = case)


@dataclass(frozen=True)
class CaseSource:
    metric: str  # an insight case indicator key (registration_rate, …) or a count field
    kind: ClassVar[SourceKind] = SourceKind.cases


@dataclass(frozen=True)
class AppealSource:
    metric: str  # a key of APPEAL_METRICS
    kind: ClassVar[SourceKind] = SourceKind.appeals


@dataclass(frozen=True)
class SensingSource:
    metric: str  # a sensing metric key (pm25, depth, …); "*": any metric
    aggregation: SensingAggregation
    window: timedelta | None = None  # the averaging window; None: the refresh interval
    above: float | None = None  # for count_above
    iaqi: AqiItem | None = None  # report the HJ 633 IAQI of the aggregated concentration

    kind: ClassVar[SourceKind] = SourceKind.sensing

    def transform(self, value: float | None) -> float | None:
        """The aggregated value as reported: the IAQI of the concentration where `iaqi` is
        set (None where HJ 633 notes 2/3 give that item none), else the value itself."""
        if value is None or self.iaqi is None:
            return value
        result = iaqi(self.iaqi, value)
        return None if result is None else float(result)


@dataclass(frozen=True)
class SeriesSource:
    series: str  # the name of the imported series
    kind: ClassVar[SourceKind] = SourceKind.series


@dataclass(frozen=True)
class FormulaSource:
    formula: Formula
    kind: ClassVar[SourceKind] = SourceKind.formula


Source = CaseSource | AppealSource | SensingSource | SeriesSource | FormulaSource


@dataclass(frozen=True)
class ActiveHours:
    """The local (Asia/Shanghai) hours in which an indicator is evaluated, `start` included and
    `end` excluded; an `end` before `start` runs past midnight (18:00-06:00: the lighting hours
    of street lights, 亮灯时段). Outside them the indicator is not due at all."""

    start: time
    end: time

    def contains(self, at: datetime) -> bool:
        local = at.astimezone(SHANGHAI).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    @property
    def text(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class IndicatorDefinition:
    code: str
    name_zh: str
    name_en: str
    unit: str
    category: VitalCategory
    source: Source
    refresh: timedelta
    levels: tuple[SpatialLevel, ...]  # the area levels it is computed at, coarse to fine
    direction: Direction
    thresholds: Thresholds | None = None  # None: shown, never fires
    baselines: tuple[Baseline, ...] = ()
    for_evaluations: int = 1  # consecutive evaluations at a level before it fires
    resolve_evaluations: int = 1  # consecutive evaluations below all levels before it resolves
    nodata_intervals: int = 3  # refresh intervals without a value before NoData
    active_hours: ActiveHours | None = None  # None: evaluated at every hour of the day
    on_firing: FiringPolicy = FiringPolicy()
    precision: int = 2  # decimals shown
    description: str = ""

    @property
    def finest_level(self) -> SpatialLevel:
        return self.levels[-1]


class DefinitionError(ValidationFailed):
    code = "bad_indicator_definition"

    def __init__(self, indicator: str, field: str, problem: str) -> None:
        super().__init__(f"indicator {indicator}: {field}: {problem}", indicator=indicator)
        self.indicator = indicator
        self.field = field
        self.details["field"] = field
