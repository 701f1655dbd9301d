"""A rule set as YAML: an exact round trip, and refusals that name the rule and the field."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from cityops.sensing.rules.public import (
    AllOf,
    AnyOf,
    CasePolicy,
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
    dump_rules,
    format_duration,
    load_rules,
    parse_duration,
)

EXAMPLE = """\
rules:
- code: pm25-heavy
  name: PM2.5 重污染
  version: 3
  enabled: true
  severity: major
  scope:
    device_type: air-station
    area: '330103'
  when:
    all_of:
    - threshold:
        metric: pm25
        op: '>'
        value: 150.0
    - any_of:
      - rate:
          metric: pm25
          op: '>='
          value: 20.0
          per: hour
      - no_data:
          metric: pm10
          intervals: 3
          interval: 1h
  for: 3h
  clear_when:
    threshold:
      metric: pm25
      op: <
      value: 115.0
  clear_for: 2h
  window:
    days:
    - fri
    - sat
    from: '22:00'
    to: 06:00
  case:
    open: true
    category: env.air
    after: 1h30m
- code: level-stuck
  name: Water level sensor stuck
  version: 1
  enabled: false
  severity: warning
  scope:
    device: WL-0042
  when:
    unchanged:
      metric: level
  for: 2h
  clear_for: 0s
  fault: stuck
"""


def test_the_example_loads_to_the_rules_it_says() -> None:
    heavy, stuck = load_rules(EXAMPLE)
    assert heavy == Rule(
        code="pm25-heavy",
        name="PM2.5 重污染",
        version=3,
        severity=Severity.major,
        scope=Scope(device_type="air-station", area_prefix="330103"),
        condition=AllOf(
            (
                Threshold("pm25", Op.gt, 150),
                AnyOf(
                    (
                        RateOfChange("pm25", Op.ge, 20, RatePer.hour),
                        NoData("pm10", 3, timedelta(hours=1)),
                    )
                ),
            )
        ),
        for_duration=timedelta(hours=3),
        clear_condition=Threshold("pm25", Op.lt, 115),
        clear_for=timedelta(hours=2),
        window=TimeWindow(frozenset({5, 6}), time(22), time(6)),
        case=CasePolicy(True, "env.air", timedelta(minutes=90)),
    )
    assert stuck.condition == Unchanged("level")
    assert stuck.fault is DeviceFault.stuck
    assert not stuck.enabled


def test_round_trip_is_exact_both_ways() -> None:
    rules = load_rules(EXAMPLE)
    assert dump_rules(rules) == EXAMPLE
    assert load_rules(dump_rules(rules)) == rules


def test_defaults_are_filled_and_written_out() -> None:
    (rule,) = load_rules(
        "rules:\n- code: a\n  name: A\n  scope: {device_type: t}\n"
        "  when: {no_data: {intervals: 5}}\n"
    )
    assert rule.version == 1
    assert rule.enabled
    assert rule.severity is Severity.major
    assert rule.condition == NoData(None, 5)
    assert load_rules(dump_rules([rule])) == [rule]


@pytest.mark.parametrize(
    ("text", "value"),
    [("90s", timedelta(seconds=90)), ("1d2h", timedelta(days=1, hours=2)), ("0s", timedelta(0))],
)
def test_durations(text: str, value: timedelta) -> None:
    assert parse_duration(text, "for") == value
    assert parse_duration(format_duration(value), "for") == value


def _bad(change: str, old: str) -> str:
    assert old in EXAMPLE
    return EXAMPLE.replace(old, change, 1)


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        (_bad("  for: 3 hours\n", "  for: 3h\n"), "rules[0] (pm25-heavy).for", "duration"),
        (
            _bad("op: '=>'", "op: '>='"),
            "rules[0] (pm25-heavy).when.all_of[1].any_of[0].rate.op",
            "one of",
        ),
        (
            _bad("intervals: 0", "intervals: 3"),
            "rules[0] (pm25-heavy).when.all_of[1].any_of[1].no_data.intervals",
            "between",
        ),
        (
            _bad("value: 150.0\n    - any", "value: 150.0\n    - any").replace(
                "value: 150.0", "value: high", 1
            ),
            "rules[0] (pm25-heavy).when.all_of[0].threshold.value",
            "number",
        ),
        (_bad("    to: '25:00'\n", "    to: 06:00\n"), "rules[0] (pm25-heavy).window.to", "HH:MM"),
        (_bad("    - sunday\n", "    - sat\n"), "rules[0] (pm25-heavy).window.days[1]", "one of"),
        (
            _bad("    open: true\n    after", "    open: true\n    category: env.air\n    after"),
            "rules[0] (pm25-heavy).case.category",
            "needed",
        ),
        (
            _bad("  severity: fatal\n", "  severity: warning\n"),
            "rules[1] (level-stuck).severity",
            "critical",
        ),
        (
            _bad("    devise: WL-0042\n", "    device: WL-0042\n"),
            "rules[1] (level-stuck).scope.devise",
            "use",
        ),
        (
            _bad("  version: 3\n", "  version: 1\n").replace(
                "code: level-stuck", "code: pm25-heavy"
            ),
            "rules[1] (pm25-heavy).version",
            "twice",
        ),
        (
            _bad("    unchanged: {}\n", "    unchanged:\n      metric: level\n"),
            "rules[1] (level-stuck).when.unchanged.metric",
            "text",
        ),
        (
            _bad("  colour: red\n  for: 2h\n", "  for: 2h\n"),
            "rules[1] (level-stuck).colour",
            "not a rule field",
        ),
        (_bad("  for: 999999999999d\n", "  for: 3h\n"), "rules[0] (pm25-heavy).for", "too long"),
        (_bad("  for: 367d\n", "  for: 3h\n"), "rules[0] (pm25-heavy).for", "366d"),
        (
            _bad("    after: 400d\n", "    after: 1h30m\n"),
            "rules[0] (pm25-heavy).case.after",
            "366d",
        ),
        (
            _bad("intervals: 9000", "intervals: 3"),
            "rules[0] (pm25-heavy).when.all_of[1].any_of[1].no_data",
            "366 days",
        ),
        ("rules: {}\n", "rules", "list"),
        ("rules: [\n", "", "cannot be read"),
    ],
)
def test_refusals_name_the_rule_and_the_field(text: str, path: str, words: str) -> None:
    with pytest.raises(RuleError) as caught:
        load_rules(text)
    assert caught.value.path == path
    assert words in caught.value.reason
    assert caught.value.code == "invalid_rule"


def test_a_rule_built_in_code_is_validated_too() -> None:
    with pytest.raises(RuleError) as caught:
        Rule(code="x", name="x", scope=Scope(), condition=Threshold("pm25", Op.gt, 1))
    assert caught.value.path == "scope"
    with pytest.raises(RuleError) as caught:
        Rule(
            code="x",
            name="x",
            scope=Scope(device_type="t"),
            condition=AllOf((Threshold("pm25", Op.gt, float("nan")),)),
        )
    assert caught.value.path == "when.all_of[0].threshold.value"


def test_revised_is_the_next_version() -> None:
    (rule,) = load_rules(EXAMPLE)[:1]
    newer = rule.revised(for_duration=timedelta(hours=4))
    assert newer.version == 4
    assert newer.for_duration == timedelta(hours=4)
    assert newer.code == rule.code
