"""The composite score (pure): components per subject kind, their normalisation to 0–100, the
weighted mean over the components that have something to measure, grades A–E and the
minimum-volume rule. docs/insight/evaluation.md writes each formula down with worked examples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

SCORE_DIGITS = 2


class SubjectKind(StrEnum):
    street = "street"  # 街道 (area)
    department = "department"  # 承办单位
    operator = "operator"  # 受理员
    dispatcher = "dispatcher"  # 派遣员
    inspector = "inspector"  # 监督员/网格员
    shift_leader = "shift_leader"  # 值班长
    handler = "handler"  # 承办人


CASE_KINDS = frozenset({SubjectKind.street, SubjectKind.department})  # counted per case
POST_KINDS = frozenset(SubjectKind) - CASE_KINDS  # counted per step the user took

KIND_NAMES_ZH: Mapping[SubjectKind, str] = {
    SubjectKind.street: "街道",
    SubjectKind.department: "部门",
    SubjectKind.operator: "受理员",
    SubjectKind.dispatcher: "派遣员",
    SubjectKind.inspector: "监督员",
    SubjectKind.shift_leader: "值班长",
    SubjectKind.handler: "承办人",
}


class Better(StrEnum):
    more = "higher"  # a rate where more is better: score = 100·r
    less = "lower"  # a rate where less is better: score = 100·max(0, 1 − r/limit)
    volume = "volume"  # a count: score = 100·min(1, v/best of the period)


@dataclass(frozen=True)
class Component:
    key: str
    name: str  # 中文
    numerator: str  # a count of the kind
    denominator: str | None  # None for a volume
    better: Better = Better.more


def _c(key: str, name: str, num: str, den: str | None, better: Better = Better.more) -> Component:
    return Component(key, name, num, den, better)


COMPONENTS: Mapping[SubjectKind, tuple[Component, ...]] = {
    SubjectKind.street: (
        _c("registration_rate", "立案率", "registered", "reported"),
        _c("on_time_handling_rate", "按期处置率", "handled_on_time", "due_to_handle"),
        _c("closure_rate", "结案率", "closed", "due_to_close"),
        _c("rework_rate", "返工率", "reworked", "due_to_close", Better.less),
        _c("satisfaction_rate", "满意率", "satisfied", "evaluated"),
    ),
    SubjectKind.department: (
        _c("on_time_handling_rate", "按期处置率", "handled_on_time", "due_to_handle"),
        _c("rework_rate", "返工率", "reworked", "due_to_close", Better.less),
        _c("extension_rate", "延期率", "extended", "dispatched", Better.less),
        _c("return_rate", "退回率", "returned", "dispatched", Better.less),
        _c("satisfaction_rate", "满意率", "satisfied", "evaluated"),
    ),
    SubjectKind.operator: (
        _c("accepted", "受理量", "accepted", None, Better.volume),
        _c("on_time_acceptance_rate", "按时受理率", "accepted_on_time", "accepted"),
        _c("visit_completion_rate", "回访完成率", "visited", "visit_due"),
    ),
    SubjectKind.dispatcher: (
        _c("dispatch_accuracy_rate", "派遣准确率", "dispatched_accurately", "dispatched"),
        _c("on_time_dispatch_rate", "按时派遣率", "dispatched_on_time", "dispatched"),
    ),
    SubjectKind.inspector: (
        _c("reports", "上报量", "reports", None, Better.volume),
        _c("valid_report_rate", "有效上报率", "reports_valid", "reports"),
        _c("on_time_verification_rate", "按时核查率", "verified_on_time", "verified"),
    ),
    SubjectKind.shift_leader: (
        _c("timely_decision_rate", "延期审批及时率", "decided_in_time", "decided"),
    ),
    SubjectKind.handler: (
        _c("on_time_finish_rate", "按时办结率", "finished_on_time", "finished"),
        _c("rework_rate", "返工率", "finished_reworked", "finished", Better.less),
        _c("satisfaction_rate", "满意率", "finished_satisfied", "finished_evaluated"),
    ),
}

# The counts whose sum is a subject's volume for the minimum-volume rule.
VOLUME_COUNTS: Mapping[SubjectKind, tuple[str, ...]] = {
    SubjectKind.street: ("reported",),
    SubjectKind.department: ("dispatched",),
    SubjectKind.operator: ("accepted",),
    SubjectKind.dispatcher: ("dispatched",),
    SubjectKind.inspector: ("reports", "verified"),
    SubjectKind.shift_leader: ("decided",),
    SubjectKind.handler: ("finished",),
}


def count_names(kind: SubjectKind) -> tuple[str, ...]:
    """Every count the kind's components and volume read, in a stable order."""
    names: list[str] = []
    for comp in COMPONENTS[kind]:
        for name in (comp.numerator, comp.denominator):
            if name is not None and name not in names:
                names.append(name)
    for name in VOLUME_COUNTS[kind]:
        if name not in names:
            names.append(name)
    return tuple(names)


def component(kind: SubjectKind, key: str) -> Component:
    for comp in COMPONENTS[kind]:
        if comp.key == key:
            return comp
    raise KeyError(f"{kind.value} has no component {key!r}")


@dataclass(frozen=True)
class ComponentScore:
    key: str
    value: float | None  # the rate (a fraction) or the volume; None: nothing to measure
    score: float | None  # 0–100; None: left out, its weight shared by the others
    weight: float


@dataclass(frozen=True)
class Scored:
    score: float | None  # None: not rated
    grade: str | None
    rated: bool
    volume: int
    components: tuple[ComponentScore, ...]


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator; None when the denominator is 0 (nothing to measure)."""
    if numerator < 0 or denominator < 0:
        raise ValueError(f"counts cannot be negative: {numerator}/{denominator}")
    return None if denominator == 0 else numerator / denominator


def normalise(
    better: Better, value: float | None, *, limit: float = 1.0, best: float = 0.0
) -> float | None:
    """A component's 0–100 score (None stays None)."""
    if value is None:
        return None
    if better is Better.more:
        return 100.0 * min(1.0, max(0.0, value))
    if better is Better.less:
        if limit <= 0:
            raise ValueError("the limit of a lower-is-better rate must be positive")
        return 100.0 * max(0.0, 1.0 - value / limit)
    if best <= 0:
        return None  # nobody did anything: nothing to compare with
    return 100.0 * min(1.0, value / best)


def composite(parts: Sequence[tuple[float | None, float]]) -> float | None:
    """Σ wᵢ·sᵢ / Σ wᵢ over the parts (score, weight) that have a score and a positive weight;
    None when no part does."""
    present = [(s, w) for s, w in parts if s is not None and w > 0]
    total = sum(w for _, w in present)
    if total <= 0:
        return None
    return sum(s * w for s, w in present) / total


def grade(score: float, bands: Sequence[tuple[str, float]], lowest: str = "E") -> str:
    """The first grade whose lower bound the score reaches (bands from the highest down)."""
    for name, bound in bands:
        if score >= bound:
            return name
    return lowest


def volume_of(kind: SubjectKind, counts: Mapping[str, int]) -> int:
    return sum(int(counts.get(name, 0)) for name in VOLUME_COUNTS[kind])


def component_value(comp: Component, counts: Mapping[str, int]) -> float | None:
    num = int(counts.get(comp.numerator, 0))
    if comp.denominator is None:
        return float(num)
    return rate(num, int(counts.get(comp.denominator, 0)))
