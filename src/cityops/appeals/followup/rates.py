"""The 三率 of 接诉即办 as plain functions: 响应率, 解决率, 满意率 and their weighted composite,
plus the timeliness rule of the responsibility list. No database, no clock.

A zero denominator gives None ("nothing to measure" is neither 0 % nor 100 %), and so does a
composite with any component None."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Protocol

URGENT_LIMIT = timedelta(hours=2)  # urgent / critical matters: 2 calendar hours
ORDINARY_LIMIT = timedelta(days=7)  # everything else: 7 calendar days
URGENT_LEVELS = frozenset({"urgent", "critical"})
SATISFIED = "satisfied"  # 满意
BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意

DEFAULT_BASIC_WEIGHT = 0.9
DEFAULT_WEIGHTS: tuple[float, float, float] = (0.1, 0.5, 0.4)  # 响应率, 解决率, 满意率

FORMULAS: dict[str, str] = {
    "response_rate": "已联系数/回访数",
    "on_time_response_rate": "按时响应数/应响应数",
    "resolution_rate": "已解决数/解决评价数",
    "satisfaction_rate": "(满意数 + w × 基本满意数)/满意度评价数",
    "composite": "a × 响应率 + b × 解决率 + c × 满意率",
}
NAMES: dict[str, str] = {
    "response_rate": "响应率",
    "on_time_response_rate": "按时响应率",
    "resolution_rate": "解决率",
    "satisfaction_rate": "满意率",
    "composite": "综合成绩",
    "visits": "回访数",
    "contacted": "已联系数",
    "timed": "应响应数",
    "responded_on_time": "按时响应数",
    "resolution_rated": "解决评价数",
    "resolved": "已解决数",
    "satisfaction_rated": "满意度评价数",
    "satisfied": "满意数",
    "basically_satisfied": "基本满意数",
    "unsatisfied": "不满意数",
}


def responded_within_limit(
    urgency: str, reported_at: datetime, handled_at: datetime | None
) -> bool | None:
    """Whether 办结 came within the limit for the urgency (urgent/critical: 2 calendar hours from
    受理, otherwise 7 calendar days); None when the case was never handled."""
    if handled_at is None:
        return None
    limit = URGENT_LIMIT if urgency in URGENT_LEVELS else ORDINARY_LIMIT
    return handled_at - reported_at <= limit


class VisitFacts(Protocol):
    """What a visit must tell for the counts (store.VisitRow has these)."""

    @property
    def contacted(self) -> bool: ...
    @property
    def resolved(self) -> bool | None: ...
    @property
    def satisfaction(self) -> str | None: ...
    @property
    def responded_within_limit(self) -> bool | None: ...


@dataclass(frozen=True)
class RateCounts:
    visits: int = 0  # 回访数
    contacted: int = 0  # 已联系数
    timed: int = 0  # 应响应数: visits whose case was handled (timeliness known)
    responded_on_time: int = 0  # 按时响应数
    resolution_rated: int = 0  # 解决评价数: visits that answered "resolved?"
    resolved: int = 0  # 已解决数
    satisfaction_rated: int = 0  # 满意度评价数
    satisfied: int = 0  # 满意
    basically_satisfied: int = 0  # 基本满意
    unsatisfied: int = 0  # 不满意

    def __add__(self, other: RateCounts) -> RateCounts:
        return RateCounts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def count_visit(visit: VisitFacts) -> RateCounts:
    """The counts one visit contributes."""
    s = visit.satisfaction
    return RateCounts(
        visits=1,
        contacted=int(visit.contacted),
        timed=int(visit.responded_within_limit is not None),
        responded_on_time=int(visit.responded_within_limit is True),
        resolution_rated=int(visit.resolved is not None),
        resolved=int(visit.resolved is True),
        satisfaction_rated=int(s is not None),
        satisfied=int(s == SATISFIED),
        basically_satisfied=int(s == BASICALLY_SATISFIED),
        unsatisfied=int(s is not None and s not in (SATISFIED, BASICALLY_SATISFIED)),
    )


def count_visits(visits: Iterable[VisitFacts]) -> RateCounts:
    total = RateCounts()
    for v in visits:
        total = total + count_visit(v)
    return total


def _ratio(num: float, den: int) -> float | None:
    return None if den == 0 else num / den


def satisfaction_rate(
    counts: RateCounts, basic_weight: float = DEFAULT_BASIC_WEIGHT
) -> float | None:
    """满意率 = (满意 + w × 基本满意) / 满意度评价数."""
    return _ratio(
        counts.satisfied + basic_weight * counts.basically_satisfied, counts.satisfaction_rated
    )


def composite(
    response: float | None,
    resolution: float | None,
    satisfaction: float | None,
    weights: tuple[float, float, float] = DEFAULT_WEIGHTS,
) -> float | None:
    """a × 响应率 + b × 解决率 + c × 满意率; None when any component is None."""
    if response is None or resolution is None or satisfaction is None:
        return None
    a, b, c = weights
    return a * response + b * resolution + c * satisfaction


def three_rates(
    counts: RateCounts,
    basic_weight: float = DEFAULT_BASIC_WEIGHT,
    weights: tuple[float, float, float] = DEFAULT_WEIGHTS,
) -> dict[str, float | None]:
    """Every rate of one group, unrounded fractions (keys as in FORMULAS)."""
    response = _ratio(counts.contacted, counts.visits)
    resolution = _ratio(counts.resolved, counts.resolution_rated)
    satisfaction = satisfaction_rate(counts, basic_weight)
    return {
        "response_rate": response,
        "on_time_response_rate": _ratio(counts.responded_on_time, counts.timed),
        "resolution_rate": resolution,
        "satisfaction_rate": satisfaction,
        "composite": composite(response, resolution, satisfaction, weights),
    }
