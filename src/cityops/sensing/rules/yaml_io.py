"""A rule set as YAML (the format of docs/sensing/rules.md): `load_rules` reads one, refusing a
mistake with a `RuleError` whose path names the rule and the field (`rules[2] (pm25-high).for`);
`dump_rules` writes one. Loading what was dumped gives the same rules, and dumping them again
gives the same text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import time, timedelta
from typing import Any, TypeVar

import yaml

from cityops.sensing.rules.model import (
    WEEKDAYS,
    AllOf,
    AnyOf,
    CasePolicy,
    Condition,
    DeviceFault,
    NoData,
    Op,
    RateOfChange,
    RatePer,
    Rule,
    RuleError,
    Scope,
    Severity,
    Threshold,
    TimeWindow,
    Unchanged,
)

_E = TypeVar("_E", Severity, Op, RatePer, DeviceFault)
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", re.ASCII)
_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)", re.ASCII)
_RULE_KEYS = (
    "code",
    "name",
    "version",
    "enabled",
    "severity",
    "scope",
    "when",
    "for",
    "clear_when",
    "clear_for",
    "window",
    "case",
    "fault",
)


def parse_duration(value: object, path: str) -> timedelta:
    """'90s', '10m', '3h', '1d', '1h30m' → a timedelta; RuleError otherwise."""
    found = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if found is None or not value or not any(found.groups()):
        raise RuleError(
            path, f"must be a duration such as 90s, 10m, 3h, 1d or 1h30m, not {value!r}"
        )
    days, hours, minutes, seconds = (int(g or 0) for g in found.groups())
    try:
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise RuleError(path, f"{value} is too long") from None


def format_duration(span: timedelta) -> str:
    """The shortest text `parse_duration` reads back as `span` (whole seconds)."""
    total = int(span.total_seconds())
    if total == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def load_rules(text: str) -> list[Rule]:
    """The rules of a YAML document holding `rules:`, a list of rules."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleError("", f"the YAML cannot be read: {exc}") from exc
    items = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise RuleError("rules", "the document must hold `rules:`, a list of rules")
    rules: list[Rule] = []
    seen: set[tuple[str, int]] = set()
    for index, item in enumerate(items):
        code = item.get("code") if isinstance(item, dict) else None
        where = f"rules[{index}]" + (f" ({code})" if isinstance(code, str) else "")
        try:
            rule = rule_from_dict(item)
        except RuleError as exc:
            raise exc.within(where) from None
        if (rule.code, rule.version) in seen:
            raise RuleError(f"{where}.version", f"version {rule.version} is given twice")
        seen.add((rule.code, rule.version))
        rules.append(rule)
    return rules


def dump_rules(rules: Iterable[Rule]) -> str:
    return yaml.safe_dump(
        {"rules": [rule_to_dict(r) for r in rules]},
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def rule_from_dict(data: object) -> Rule:
    item = _mapping(data, "")
    unknown = sorted(set(item) - set(_RULE_KEYS), key=str)
    if unknown:
        raise RuleError(str(unknown[0]), f"is not a rule field (they are {', '.join(_RULE_KEYS)})")
    for key in ("code", "name", "scope", "when"):
        if key not in item:
            raise RuleError(key, "is missing")
    scope = _mapping(item["scope"], "scope")
    extra = set(scope) - {"device_type", "area", "device"}
    if extra:
        raise RuleError(f"scope.{sorted(extra, key=str)[0]}", "use device_type, area or device")
    case = _mapping(item.get("case", {}), "case")
    extra = set(case) - {"open", "category", "after"}
    if extra:
        raise RuleError(f"case.{sorted(extra, key=str)[0]}", "use open, category or after")
    clear = item.get("clear_when")
    return Rule(
        code=_text(item["code"], "code"),
        name=_text(item["name"], "name"),
        version=_whole(item.get("version", 1), "version"),
        enabled=_flag(item.get("enabled", True), "enabled"),
        severity=_choice(Severity, item.get("severity", "major"), "severity"),
        scope=Scope(
            device_type=_optional_text(scope.get("device_type"), "scope.device_type"),
            area_prefix=_optional_text(scope.get("area"), "scope.area"),
            device_code=_optional_text(scope.get("device"), "scope.device"),
        ),
        condition=condition_from_dict(item["when"], "when"),
        for_duration=parse_duration(item.get("for", "0s"), "for"),
        clear_condition=None if clear is None else condition_from_dict(clear, "clear_when"),
        clear_for=parse_duration(item.get("clear_for", "0s"), "clear_for"),
        window=None if item.get("window") is None else _window(item["window"]),
        case=CasePolicy(
            open_case=_flag(case.get("open", False), "case.open"),
            category_code=_optional_text(case.get("category"), "case.category"),
            after=parse_duration(case.get("after", "0s"), "case.after"),
        ),
        fault=None if item.get("fault") is None else _choice(DeviceFault, item["fault"], "fault"),
    )


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": rule.code,
        "name": rule.name,
        "version": rule.version,
        "enabled": rule.enabled,
        "severity": str(rule.severity),
    }
    scope = {
        "device_type": rule.scope.device_type,
        "area": rule.scope.area_prefix,
        "device": rule.scope.device_code,
    }
    out["scope"] = {k: v for k, v in scope.items() if v is not None}
    out["when"] = condition_to_dict(rule.condition)
    out["for"] = format_duration(rule.for_duration)
    if rule.clear_condition is not None:
        out["clear_when"] = condition_to_dict(rule.clear_condition)
    out["clear_for"] = format_duration(rule.clear_for)
    if rule.window is not None:
        window: dict[str, Any] = {}
        if rule.window.days != frozenset(range(1, 8)):
            window["days"] = [WEEKDAYS[d - 1] for d in sorted(rule.window.days)]
        window["from"] = rule.window.start.strftime("%H:%M")
        window["to"] = rule.window.end.strftime("%H:%M")
        out["window"] = window
    if rule.case != CasePolicy():
        case: dict[str, Any] = {"open": rule.case.open_case}
        if rule.case.category_code is not None:
            case["category"] = rule.case.category_code
        case["after"] = format_duration(rule.case.after)
        out["case"] = case
    if rule.fault is not None:
        out["fault"] = str(rule.fault)
    return out


def condition_from_dict(data: object, path: str) -> Condition:
    item = _mapping(data, path)
    if len(item) != 1:
        raise RuleError(
            path, "must hold exactly one of threshold, rate, no_data, unchanged, all_of, any_of"
        )
    ((kind, body),) = item.items()
    where = f"{path}.{kind}"
    if kind in ("all_of", "any_of"):
        if not isinstance(body, list):
            raise RuleError(where, "must be a list of conditions")
        children = tuple(condition_from_dict(c, f"{where}[{i}]") for i, c in enumerate(body))
        return AllOf(children) if kind == "all_of" else AnyOf(children)
    fields = _mapping(body, where)
    allowed = {
        "threshold": {"metric", "op", "value"},
        "rate": {"metric", "op", "value", "per"},
        "no_data": {"metric", "intervals", "interval"},
        "unchanged": {"metric"},
    }.get(str(kind))
    if allowed is None:
        raise RuleError(
            where, "is not a condition (threshold, rate, no_data, unchanged, all_of, any_of)"
        )
    extra = set(fields) - allowed
    if extra:
        raise RuleError(f"{where}.{sorted(extra, key=str)[0]}", f"use {', '.join(sorted(allowed))}")
    if kind == "no_data":
        interval = fields.get("interval")
        return NoData(
            metric=_optional_text(fields.get("metric"), f"{where}.metric"),
            intervals=_whole(fields.get("intervals"), f"{where}.intervals"),
            interval=None if interval is None else parse_duration(interval, f"{where}.interval"),
        )
    metric = _text(fields.get("metric"), f"{where}.metric")
    if kind == "unchanged":
        return Unchanged(metric)
    op = _choice(Op, fields.get("op"), f"{where}.op")
    value = _number(fields.get("value"), f"{where}.value")
    if kind == "threshold":
        return Threshold(metric, op, value)
    return RateOfChange(
        metric, op, value, _choice(RatePer, fields.get("per", "minute"), f"{where}.per")
    )


def condition_to_dict(condition: Condition) -> dict[str, Any]:
    if isinstance(condition, AllOf | AnyOf):
        kind = "all_of" if isinstance(condition, AllOf) else "any_of"
        return {kind: [condition_to_dict(c) for c in condition.conditions]}
    if isinstance(condition, Threshold):
        return {
            "threshold": {
                "metric": condition.metric,
                "op": str(condition.op),
                "value": condition.value,
            }
        }
    if isinstance(condition, RateOfChange):
        return {
            "rate": {
                "metric": condition.metric,
                "op": str(condition.op),
                "value": condition.value,
                "per": str(condition.per),
            }
        }
    if isinstance(condition, Unchanged):
        return {"unchanged": {"metric": condition.metric}}
    body: dict[str, Any] = {}
    if condition.metric is not None:
        body["metric"] = condition.metric
    body["intervals"] = condition.intervals
    if condition.interval is not None:
        body["interval"] = format_duration(condition.interval)
    return {"no_data": body}


def _window(data: object) -> TimeWindow:
    item = _mapping(data, "window")
    extra = set(item) - {"days", "from", "to"}
    if extra:
        raise RuleError(f"window.{sorted(extra, key=str)[0]}", "use days, from or to")
    days = item.get("days", list(WEEKDAYS))
    if not isinstance(days, list) or not days:
        raise RuleError("window.days", f"must be a list of days: {', '.join(WEEKDAYS)}")
    numbers = set()
    for index, day in enumerate(days):
        if day not in WEEKDAYS:
            raise RuleError(f"window.days[{index}]", f"must be one of {', '.join(WEEKDAYS)}")
        numbers.add(WEEKDAYS.index(day) + 1)
    return TimeWindow(
        days=frozenset(numbers),
        start=_time(item.get("from", "00:00"), "window.from"),
        end=_time(item.get("to", "00:00"), "window.to"),
    )


def _time(value: object, path: str) -> time:
    found = _TIME.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise RuleError(path, f"must be a time 'HH:MM' (quoted in YAML), not {value!r}")
    return time(int(found.group(1)), int(found.group(2)))


def _mapping(value: object, path: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise RuleError(path, "must be a mapping of fields")
    return value


def _text(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise RuleError(path, f"must be a text, not {value!r}")
    return value


def _optional_text(value: object, path: str) -> str | None:
    return None if value is None else _text(value, path)


def _whole(value: object, path: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise RuleError(path, f"must be a whole number, not {value!r}")
    return value


def _number(value: object, path: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise RuleError(path, f"must be a number, not {value!r}")
    return float(value)


def _flag(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise RuleError(path, f"must be true or false, not {value!r}")
    return value


def _choice(kind: type[_E], value: object, path: str) -> _E:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return kind(value)
    except ValueError:
        raise RuleError(path, f"must be one of {', '.join(kind)}, not {value!r}") from None
