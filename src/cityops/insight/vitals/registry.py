"""The indicator registry: definitions as YAML, checked, versioned and importable.

    version: 3
    indicators:
      - code: aqi
        name: {zh: 空气质量指数, en: Air quality index}
        unit: ""
        category: weather_environment
        source: formula
        expression: max(iaqi_pm25_24h, iaqi_pm10_24h)
        refresh: 1h
        levels: [city, district]
        direction: higher_is_worse
        thresholds: {blue: 101, yellow: 151, orange: 201, red: 301}
        baselines: [year_on_year, period_on_period]
        for_evaluations: 2
        on_firing: {action: alarm, min_level: orange}

An optional `active_hours: "18:00-06:00"` limits evaluation to those local hours.
`source` picks the fields that go with it: `metric` (cases, appeals), `metric` + `aggregation`
(+ `window`, `above`, `iaqi`) (sensing), `series` (series), `expression` (formula). A refused
document raises `DefinitionError` naming the indicator and the field. A `DefinitionSet` has a
version; importing definitions that add or change any indicator bumps it by one. Formulas may
only name defined indicators, and never in a cycle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import time, timedelta
from enum import StrEnum
from importlib import resources
from itertools import pairwise
from typing import Any, TypeVar

import yaml

from cityops.insight.indicators import COUNT_FIELDS, INDICATORS
from cityops.insight.vitals.aqi import AqiItem
from cityops.insight.vitals.definition_set import (
    DefinitionSet,
    ImportResult,
    import_definitions,
)
from cityops.insight.vitals.definitions import (
    APPEAL_METRICS,
    ActiveHours,
    AlertLevel,
    AppealSource,
    Baseline,
    CaseSource,
    DefinitionError,
    Direction,
    FiringAction,
    FiringPolicy,
    FormulaSource,
    IndicatorDefinition,
    SensingAggregation,
    SensingSource,
    SeriesSource,
    Source,
    SourceKind,
    SpatialLevel,
    Thresholds,
    VitalCategory,
)
from cityops.insight.vitals.expression import CODE_PATTERN, ExpressionError, parse_formula
from cityops.insight.vitals.serialise import definition_to_dict

E = TypeVar("E", bound=StrEnum)
CASE_METRICS: frozenset[str] = frozenset(i.key for i in INDICATORS) | frozenset(COUNT_FIELDS)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DURATION = re.compile(r"^([1-9][0-9]*)(s|m|h|d)$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_HOURS = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$")
_DAY_S = 86400
_COMMON = {
    "code", "name", "unit", "category", "source", "refresh", "levels", "direction",
    "thresholds", "baselines", "for_evaluations", "resolve_evaluations", "nodata_intervals",
    "on_firing", "precision", "description", "active_hours",
}  # fmt: skip
_SOURCE_FIELDS: Mapping[SourceKind, frozenset[str]] = {
    SourceKind.cases: frozenset({"metric"}),
    SourceKind.appeals: frozenset({"metric"}),
    SourceKind.sensing: frozenset({"metric", "aggregation", "window", "above", "iaqi"}),
    SourceKind.series: frozenset({"series"}),
    SourceKind.formula: frozenset({"expression"}),
}


def parse_duration(text: object) -> timedelta:
    """ "30s", "5m", "1h", "1d"."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"a duration like 5m, 1h or 1d, not {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


class _Reader:
    """Reads one indicator's mapping; every refusal names the indicator and the field."""

    def __init__(self, data: Mapping[str, Any], code: str, prefix: str = "") -> None:
        self.data = data
        self.code = code
        self.prefix = prefix

    def fail(self, field: str, problem: str) -> DefinitionError:
        return DefinitionError(self.code, self.prefix + field, problem)

    def text(self, field: str, *, required: bool = True, allow_empty: bool = False) -> str:
        value = self.data.get(field)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            raise self.fail(field, "a text is required")
        return value.strip()

    def enum(self, field: str, kind: type[E], value: object = None) -> E:
        raw = self.data.get(field) if value is None else value
        if isinstance(raw, str) and raw in kind._value2member_map_:
            return kind(raw)
        allowed = ", ".join(m.value for m in kind)
        raise self.fail(field, f"{raw!r} is not one of {allowed}")

    def integer(self, field: str, default: int, minimum: int) -> int:
        value = self.data.get(field, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(field, f"an integer ≥ {minimum} is required, not {value!r}")
        return value

    def number(self, field: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise self.fail(field, f"a number is required, not {value!r}")
        return float(value)

    def duration(self, field: str) -> timedelta:
        try:
            return parse_duration(self.data.get(field))
        except ValueError as exc:
            raise self.fail(field, str(exc)) from None

    def sequence(self, field: str) -> list[Any]:
        value = self.data.get(field, [])
        if not isinstance(value, list):
            raise self.fail(field, "a list is required")
        if len(set(map(str, value))) != len(value):
            raise self.fail(field, "an entry is repeated")
        return value


def _source(r: _Reader, kind: SourceKind) -> Source:
    if kind is SourceKind.cases:
        metric = r.text("metric")
        if metric not in CASE_METRICS:
            raise r.fail("metric", f"{metric!r} is not a case indicator or count")
        return CaseSource(metric)
    if kind is SourceKind.appeals:
        metric = r.text("metric")
        if metric not in APPEAL_METRICS:
            raise r.fail("metric", f"{metric!r} is not one of {', '.join(APPEAL_METRICS)}")
        return AppealSource(metric)
    if kind is SourceKind.series:
        return SeriesSource(r.text("series"))
    if kind is SourceKind.formula:
        try:
            return FormulaSource(parse_formula(r.text("expression")))
        except ExpressionError as exc:
            raise r.fail("expression", str(exc)) from None
    aggregation = r.enum("aggregation", SensingAggregation)
    above = r.data.get("above")
    if (aggregation is SensingAggregation.count_above) != (above is not None):
        raise r.fail("above", "required with count_above, and only with it")
    window = r.duration("window") if "window" in r.data else None
    item = r.enum("iaqi", AqiItem) if "iaqi" in r.data else None
    return SensingSource(
        r.text("metric"),
        aggregation,
        window,
        None if above is None else r.number("above", above),
        item,
    )


def _thresholds(r: _Reader, direction: Direction) -> Thresholds | None:
    raw = r.data.get("thresholds")
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not raw:
        raise r.fail("thresholds", "a mapping of blue/yellow/orange/red to numbers")
    values: dict[str, float] = {}
    for key, value in raw.items():
        level = r.enum("thresholds", AlertLevel, key)
        values[level.value] = r.number(f"thresholds.{level.value}", value)
    ordered = [values[lv.value] for lv in AlertLevel if lv.value in values]
    sign = 1 if direction is Direction.higher_is_worse else -1
    if any(sign * (b - a) <= 0 for a, b in pairwise(ordered)):
        way = "increase" if sign == 1 else "decrease"
        raise r.fail("thresholds", f"must {way} from blue to red ({direction.value})")
    return Thresholds(direction, **values)


def _policy(r: _Reader) -> FiringPolicy:
    raw = r.data.get("on_firing")
    if raw is None:
        return FiringPolicy()
    if not isinstance(raw, Mapping) or set(raw) - {"action", "min_level", "category"}:
        raise r.fail("on_firing", "a mapping of action, min_level and category")
    action = r.enum("on_firing.action", FiringAction, raw.get("action"))
    level = r.enum("on_firing.min_level", AlertLevel, raw.get("min_level", "blue"))
    category = raw.get("category")
    if action is FiringAction.case and not (isinstance(category, str) and category.strip()):
        raise r.fail("on_firing.category", "opening a case needs the case category code")
    if action is not FiringAction.case and category is not None:
        raise r.fail("on_firing.category", "only a case action takes a category")
    if action is not FiringAction.none and r.data.get("thresholds") is None:
        raise r.fail("on_firing", "an indicator without thresholds never fires")
    return FiringPolicy(action, level, category.strip() if isinstance(category, str) else None)


def _active_hours(r: _Reader, refresh: timedelta) -> ActiveHours | None:
    """`active_hours: "18:00-06:00"`: local hours, start included, end excluded, past
    midnight when the end comes first; some evaluation instant must fall inside."""
    raw = r.data.get("active_hours")
    if raw is None:
        return None
    match = _HOURS.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise r.fail("active_hours", f'local hours "HH:MM-HH:MM" (e.g. "18:00-06:00"), not {raw!r}')
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    hours = ActiveHours(time(h1, m1), time(h2, m2))
    start_s, end_s = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if start_s == end_s:
        raise r.fail("active_hours", "start and end are equal: leave it out for the whole day")
    length = (end_s - start_s) % _DAY_S
    step = int(refresh.total_seconds())
    # a step that divides the day puts the instants at the same local times every day: the
    # first at or after `start` comes -start_s % step later; other steps drift from day to day,
    # and only hours at least one step long are sure to hold one
    inside = -start_s % step < length if _DAY_S % step == 0 else step <= length
    if not inside:
        raise r.fail(
            "active_hours",
            f"no evaluation instant (every {r.data.get('refresh')}) is sure to fall inside",
        )
    return hours


def parse_definition(data: object) -> IndicatorDefinition:
    """One indicator from its YAML mapping, checked field by field."""
    if not isinstance(data, Mapping):
        raise DefinitionError("?", "indicator", "each indicator is a mapping")
    raw_code = data.get("code")
    code = raw_code if isinstance(raw_code, str) else "?"
    r = _Reader(data, code)
    if not CODE_PATTERN.match(code) or code in {"min", "max"}:
        raise r.fail("code", "lower-case letters, digits and _, starting with a letter")
    kind = r.enum("source", SourceKind)
    unknown = set(data) - _COMMON - _SOURCE_FIELDS[kind]
    if unknown:
        raise r.fail(sorted(unknown)[0], f"not a field of a {kind.value} indicator")
    name = data.get("name")
    if not isinstance(name, Mapping) or set(name) != {"zh", "en"}:
        raise r.fail("name", "a mapping of zh and en")
    names = _Reader(name, code, prefix="name.")
    levels = [r.enum("levels", SpatialLevel, v) for v in r.sequence("levels")]
    if not levels:
        raise r.fail("levels", "at least one area level")
    if levels != sorted(levels, key=list(SpatialLevel).index):
        raise r.fail("levels", "list the levels coarse to fine (city → grid)")
    direction = r.enum("direction", Direction)
    definition = IndicatorDefinition(
        code=code,
        name_zh=names.text("zh"),
        name_en=names.text("en"),
        unit=r.text("unit", allow_empty=True),
        category=r.enum("category", VitalCategory),
        source=_source(r, kind),
        refresh=r.duration("refresh"),
        levels=tuple(levels),
        direction=direction,
        thresholds=_thresholds(r, direction),
        baselines=tuple(r.enum("baselines", Baseline, v) for v in r.sequence("baselines")),
        for_evaluations=r.integer("for_evaluations", 1, 1),
        resolve_evaluations=r.integer("resolve_evaluations", 1, 1),
        nodata_intervals=r.integer("nodata_intervals", 3, 1),
        on_firing=_policy(r),
        precision=r.integer("precision", 2, 0),
        description=r.text("description", required=False),
    )
    hours = _active_hours(r, definition.refresh)
    return definition if hours is None else replace(definition, active_hours=hours)


def _read_document(text: str) -> tuple[object, tuple[IndicatorDefinition, ...]]:
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise DefinitionError("*", "document", f"not YAML: {exc}") from None
    if not isinstance(data, Mapping) or set(data) - {"version", "indicators"}:
        raise DefinitionError("*", "document", "a mapping of version and indicators")
    items = data.get("indicators")
    if not isinstance(items, list):
        raise DefinitionError("*", "indicators", "a list of indicators")
    return data.get("version", 1), tuple(parse_definition(i) for i in items)


def parse_definitions(text: str) -> DefinitionSet:
    """A complete definition set from its YAML text."""
    version, definitions = _read_document(text)
    return DefinitionSet(version, definitions)  # type: ignore[arg-type]  # checked there


def import_yaml(current: DefinitionSet, text: str) -> ImportResult:
    """Import the definitions of a YAML document into `current` (see import_definitions); the
    document may name indicators it does not define, if `current` defines them. Its own
    `version` is ignored: the result's version is current's, bumped on any change."""
    _, definitions = _read_document(text)
    return import_definitions(current, definitions)


def dump_definitions(definitions: DefinitionSet) -> str:
    """The YAML text of a definition set; parse_definitions reads it back unchanged."""
    document = {
        "version": definitions.version,
        "indicators": [definition_to_dict(d) for d in definitions],
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def load_catalog() -> DefinitionSet:
    """The demo catalogue shipped with cityops (catalog.yaml beside this module)."""
    text = (
        resources.files("cityops.insight.vitals")
        .joinpath("catalog.yaml")
        .read_text(encoding="utf-8")
    )
    return parse_definitions(text)
