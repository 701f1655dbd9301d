"""Evaluation settings (pure): weights and limits per component, grade bands, the minimum
volume, the default view, the trend length and the head/tail size; the defaults live in
defaults.yaml beside this module and a city's own file overrides any part of them."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from cityops.insight.evaluation.model import COMPONENTS, Better, SubjectKind
from cityops.kernel.errors import ValidationFailed

DEFAULTS = Path(__file__).with_name("defaults.yaml")
MAX_TREND_PERIODS = 24
MAX_HEAD_TAIL = 20


class EvaluationView(StrEnum):
    trend = "trend"  # the score per period (national guidance prefers it)
    ranking = "ranking"  # one period, ordered, with head and tail lists


@dataclass(frozen=True)
class Weighting:
    weight: float
    limit: float = 1.0  # lower-is-better rates: the rate that scores 0


@dataclass(frozen=True)
class EvaluationConfig:
    weights: Mapping[SubjectKind, Mapping[str, Weighting]]
    grades: tuple[tuple[str, float], ...] = (("A", 90.0), ("B", 80.0), ("C", 70.0), ("D", 60.0))
    lowest_grade: str = "E"
    min_volume: Mapping[SubjectKind, int] = field(default_factory=dict)
    view: EvaluationView = EvaluationView.trend
    trend_periods: int = 6
    head_tail: int = 3
    decision_hours: float = 24.0  # 值班长: an extension decided within this many hours

    def weighting(self, kind: SubjectKind, key: str) -> Weighting:
        return self.weights[kind][key]

    def minimum(self, kind: SubjectKind) -> int:
        return self.min_volume.get(kind, 0)


def _bad(message: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_evaluation_config", **details)


def _number(value: Any, where: str, *, low: float, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(f"{where} must be a number, not {value!r}", at=where)
    if value < low or (high is not None and value > high):
        upper = "" if high is None else f" and at most {high:g}"
        raise _bad(f"{where} must be at least {low:g}{upper}, not {value!r}", at=where)
    return float(value)


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(f"{where} must be a mapping", at=where)
    return value


def _kind(name: Any, where: str) -> SubjectKind:
    try:
        return SubjectKind(str(name))
    except ValueError:
        raise _bad(f"{where}: unknown subject kind {name!r}", at=where) from None


def _weights(
    data: Mapping[str, Any], base: EvaluationConfig | None
) -> dict[SubjectKind, dict[str, Weighting]]:
    out = {k: dict(base.weights[k]) if base else {} for k in SubjectKind}
    for kind_name, comps in _mapping(data, "kinds").items():
        kind = _kind(kind_name, "kinds")
        known = {c.key: c for c in COMPONENTS[kind]}
        for key, spec in _mapping(comps, f"kinds.{kind.value}").items():
            where = f"kinds.{kind.value}.{key}"
            if key not in known:
                raise _bad(f"{where}: {kind.value} has no component {key!r}", at=where)
            spec = _mapping(spec, where)
            unknown = set(spec) - {"weight", "limit"}
            if unknown:
                raise _bad(f"{where}: unknown settings {sorted(unknown)}", at=where)
            old = out[kind].get(key, Weighting(0.0))
            weight = _number(spec.get("weight", old.weight), f"{where}.weight", low=0.0)
            limit = old.limit
            if "limit" in spec:
                if known[key].better is not Better.less:
                    raise _bad(f"{where}: only a lower-is-better rate takes a limit", at=where)
                limit = _number(spec["limit"], f"{where}.limit", low=0.0, high=1.0)
                if limit == 0:
                    raise _bad(f"{where}.limit must be more than 0", at=where)
            out[kind][key] = Weighting(weight, limit)
    for kind in SubjectKind:
        missing = [c.key for c in COMPONENTS[kind] if c.key not in out[kind]]
        if missing:
            raise _bad(f"kinds.{kind.value}: no weight for {missing}", at=f"kinds.{kind.value}")
        if sum(w.weight for w in out[kind].values()) <= 0:
            raise _bad(f"kinds.{kind.value}: the weights add up to 0", at=f"kinds.{kind.value}")
    return out


def _grades(data: Any) -> tuple[tuple[str, float], ...]:
    bands = [
        (str(k), _number(v, f"grades.{k}", low=0.0, high=100.0))
        for k, v in _mapping(data, "grades").items()
    ]
    if not bands:
        raise _bad("grades: at least one band", at="grades")
    bounds = [b for _, b in bands]
    if any(a <= b for a, b in itertools.pairwise(bounds)):
        raise _bad(
            "grades: the lower bounds must fall strictly from the first grade down", at="grades"
        )
    return tuple(bands)


def parse_config(data: Mapping[str, Any], base: EvaluationConfig | None = None) -> EvaluationConfig:
    """A config from a YAML document's mapping; what it leaves out comes from `base`."""
    data = _mapping(data, "the document")
    unknown = set(data) - {
        "kinds",
        "grades",
        "lowest_grade",
        "min_volume",
        "view",
        "trend_periods",
        "head_tail",
        "decision_hours",
    }
    if unknown:
        raise _bad(f"unknown settings {sorted(unknown)}")
    weights = _weights(data.get("kinds", {}), base)
    grades = (
        _grades(data["grades"])
        if "grades" in data
        else (base.grades if base else EvaluationConfig({}).grades)
    )
    min_volume = dict(base.min_volume) if base else {}
    for name, value in _mapping(data.get("min_volume", {}), "min_volume").items():
        min_volume[_kind(name, "min_volume")] = int(_number(value, f"min_volume.{name}", low=0.0))
    fallback = base or EvaluationConfig({})
    try:
        view = EvaluationView(str(data.get("view", fallback.view.value)))
    except ValueError:
        raise _bad(f"view must be trend or ranking, not {data.get('view')!r}", at="view") from None
    return EvaluationConfig(
        weights=weights,
        grades=grades,
        lowest_grade=str(data.get("lowest_grade", fallback.lowest_grade)),
        min_volume=min_volume,
        view=view,
        trend_periods=int(
            _number(
                data.get("trend_periods", fallback.trend_periods),
                "trend_periods",
                low=1,
                high=MAX_TREND_PERIODS,
            )
        ),
        head_tail=int(
            _number(
                data.get("head_tail", fallback.head_tail), "head_tail", low=1, high=MAX_HEAD_TAIL
            )
        ),
        decision_hours=_number(
            data.get("decision_hours", fallback.decision_hours),
            "decision_hours",
            low=0.5,
            high=720.0,
        ),
    )


@functools.cache
def _defaults() -> EvaluationConfig:
    """The shipped defaults, read once per process (every platform asks for them)."""
    return parse_config(yaml.safe_load(DEFAULTS.read_text(encoding="utf-8")))


def load_config(path: str | Path | None = None, *, view: str | None = None) -> EvaluationConfig:
    """The defaults, overridden by the YAML file at `path` (when given) and by `view`."""
    config = _defaults()
    if path:
        path = Path(path)
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise _bad(f"{path.name}: not YAML ({exc})") from None
        config = parse_config(doc, config)
    if view:
        config = parse_config({"view": view}, config)
    return config
