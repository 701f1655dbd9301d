"""A definition as the plain mapping of its YAML form (the inverse of registry.parse_definition).

Fields that hold their default are left out, so a dumped catalogue reads like a written one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cityops.insight.vitals.definitions import (
    AppealSource,
    CaseSource,
    FiringAction,
    FiringPolicy,
    FormulaSource,
    IndicatorDefinition,
    SensingSource,
    SeriesSource,
    Source,
)

_STEPS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def format_duration(value: timedelta) -> str:
    """The shortest of "1d", "2h", "15m", "30s" that is exact."""
    seconds = int(value.total_seconds())
    if seconds <= 0 or seconds != value.total_seconds():
        raise ValueError(f"a whole, positive number of seconds: {value}")
    for suffix, size in _STEPS:
        if seconds % size == 0:
            return f"{seconds // size}{suffix}"
    raise AssertionError("unreachable: every whole number of seconds fits 's'")


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _source(source: Source) -> dict[str, Any]:
    out: dict[str, Any] = {"source": source.kind.value}
    if isinstance(source, CaseSource | AppealSource):
        out["metric"] = source.metric
    elif isinstance(source, SeriesSource):
        out["series"] = source.series
    elif isinstance(source, FormulaSource):
        out["expression"] = source.formula.text
    elif isinstance(source, SensingSource):
        out["metric"] = source.metric
        out["aggregation"] = source.aggregation.value
        if source.window is not None:
            out["window"] = format_duration(source.window)
        if source.above is not None:
            out["above"] = _number(source.above)
        if source.iaqi is not None:
            out["iaqi"] = source.iaqi.value
    return out


def _policy(policy: FiringPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {"action": policy.action.value, "min_level": policy.min_level.value}
    if policy.category is not None:
        out["category"] = policy.category
    return out


def definition_to_dict(d: IndicatorDefinition) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": d.code,
        "name": {"zh": d.name_zh, "en": d.name_en},
        "unit": d.unit,
        "category": d.category.value,
        **_source(d.source),
        "refresh": format_duration(d.refresh),
        "levels": [level.value for level in d.levels],
        "direction": d.direction.value,
    }
    if d.thresholds is not None:
        out["thresholds"] = {lv.value: _number(v) for lv, v in d.thresholds.defined()}
    if d.baselines:
        out["baselines"] = [b.value for b in d.baselines]
    for name, default in (
        ("for_evaluations", 1),
        ("resolve_evaluations", 1),
        ("nodata_intervals", 3),
        ("precision", 2),
    ):
        if getattr(d, name) != default:
            out[name] = getattr(d, name)
    if d.active_hours is not None:
        out["active_hours"] = d.active_hours.text
    if d.on_firing.action is not FiringAction.none or d.on_firing != FiringPolicy():
        out["on_firing"] = _policy(d.on_firing)
    if d.description:
        out["description"] = d.description
    return out
