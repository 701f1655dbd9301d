"""Case performance indicators (数字城管 evaluation): pure formulas over one row of counts.

Each rate is numerator / denominator over the counts the case engine returns for a group and a
time window. A zero denominator means "nothing to measure" and gives None (JSON null), never 0
and never an error. The definitions of the counts are written in docs/indicators.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

COUNT_FIELDS: tuple[str, ...] = (
    "reported",  # 受理数
    "registered",  # 立案数
    "dispatched",  # 派遣数
    "accurately_dispatched",  # 准确派遣数
    "due_to_handle",  # 应处置数
    "handled_on_time",  # 按期处置数
    "due_to_close",  # 应结案数
    "closed",  # 结案数
    "closed_on_time",  # 按期结案数
    "reworked",  # 返工数
    "extended",  # 延期数
)

COUNT_NAMES_ZH: Mapping[str, str] = {
    "reported": "受理数",
    "registered": "立案数",
    "dispatched": "派遣数",
    "accurately_dispatched": "准确派遣数",
    "due_to_handle": "应处置数",
    "handled_on_time": "按期处置数",
    "due_to_close": "应结案数",
    "closed": "结案数",
    "closed_on_time": "按期结案数",
    "reworked": "返工数",
    "extended": "延期数",
}


class CountsRow(Protocol):
    """Anything shaped like cases.public.CaseCounts (only the counts are read)."""

    @property
    def reported(self) -> int: ...
    @property
    def registered(self) -> int: ...
    @property
    def dispatched(self) -> int: ...
    @property
    def accurately_dispatched(self) -> int: ...
    @property
    def due_to_handle(self) -> int: ...
    @property
    def handled_on_time(self) -> int: ...
    @property
    def due_to_close(self) -> int: ...
    @property
    def closed(self) -> int: ...
    @property
    def closed_on_time(self) -> int: ...
    @property
    def reworked(self) -> int: ...
    @property
    def extended(self) -> int: ...


@dataclass(frozen=True)
class Indicator:
    key: str  # API name of the rate
    name: str  # the Chinese name used in bulletins
    numerator: str  # a field of COUNT_FIELDS
    denominator: str  # a field of COUNT_FIELDS

    @property
    def formula(self) -> str:
        """e.g. "立案数/受理数"."""
        return f"{COUNT_NAMES_ZH[self.numerator]}/{COUNT_NAMES_ZH[self.denominator]}"


INDICATORS: tuple[Indicator, ...] = (
    Indicator("registration_rate", "立案率", "registered", "reported"),
    Indicator("dispatch_rate", "派遣率", "dispatched", "registered"),
    Indicator("accurate_dispatch_rate", "准确派遣率", "accurately_dispatched", "dispatched"),
    Indicator("on_time_handling_rate", "按期处置率", "handled_on_time", "due_to_handle"),
    Indicator("closure_rate", "结案率", "closed", "due_to_close"),
    Indicator("on_time_closure_rate", "按期结案率", "closed_on_time", "due_to_close"),
    Indicator("rework_rate", "返工率", "reworked", "due_to_close"),
    Indicator("extension_rate", "延期率", "extended", "dispatched"),
)


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator; None when the denominator is zero (nothing to measure)."""
    if numerator < 0 or denominator < 0:
        raise ValueError(f"counts cannot be negative: {numerator}/{denominator}")
    if denominator == 0:
        return None
    return numerator / denominator


def counts_of(row: CountsRow) -> dict[str, int]:
    """The counts of a row as a plain dict, in COUNT_FIELDS order."""
    return {name: int(getattr(row, name)) for name in COUNT_FIELDS}


def rates(counts: CountsRow | Mapping[str, int]) -> dict[str, float | None]:
    """Every indicator of one row, keyed by Indicator.key."""
    values = dict(counts) if isinstance(counts, Mapping) else counts_of(counts)
    return {i.key: ratio(values[i.numerator], values[i.denominator]) for i in INDICATORS}


def total_counts(rows: Iterable[CountsRow | Mapping[str, int]]) -> dict[str, int]:
    """Counts summed over rows (the total row). Rates of the total are computed on these sums,
    never averaged over groups."""
    total = dict.fromkeys(COUNT_FIELDS, 0)
    for row in rows:
        values = dict(row) if isinstance(row, Mapping) else counts_of(row)
        for name in COUNT_FIELDS:
            total[name] += values[name]
    return total


def formulas() -> dict[str, str]:
    """{"registration_rate": "立案数/受理数", ...}."""
    return {i.key: i.formula for i in INDICATORS}
