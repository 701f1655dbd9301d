"""What the rest of cityops may use of alarm rules: the rule model and its validation error, the
per-device evaluator and its transitions, YAML import and export, and the backtest."""

from __future__ import annotations

from cityops.sensing.rules.backtest import BacktestAlarm, BacktestResult, DeviceSummary, backtest
from cityops.sensing.rules.evaluator import (
    DEFAULT_INTERVAL,
    RuleCleared,
    RuleEvaluator,
    RuleFired,
    Transition,
)
from cityops.sensing.rules.model import (
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
    describe,
)
from cityops.sensing.rules.yaml_io import (
    dump_rules,
    format_duration,
    load_rules,
    parse_duration,
    rule_from_dict,
    rule_to_dict,
)

__all__ = [
    "DEFAULT_INTERVAL",
    "AllOf",
    "AnyOf",
    "BacktestAlarm",
    "BacktestResult",
    "CasePolicy",
    "Condition",
    "DeviceFault",
    "DeviceSummary",
    "NoData",
    "Op",
    "RateOfChange",
    "RatePer",
    "Rule",
    "RuleCleared",
    "RuleError",
    "RuleEvaluator",
    "RuleFired",
    "Scope",
    "Severity",
    "Threshold",
    "TimeWindow",
    "Transition",
    "Unchanged",
    "backtest",
    "describe",
    "dump_rules",
    "format_duration",
    "load_rules",
    "parse_duration",
    "rule_from_dict",
    "rule_to_dict",
]
