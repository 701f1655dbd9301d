"""Robust statistics on the small bounded windows the detectors keep: median, MAD scale with a
floor, and a fixed-size ring of floats."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

MAD_TO_SD = 1.4826  # 1.4826·MAD estimates the standard deviation of normal noise


def median(values: Iterable[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        raise ValueError("median of nothing")
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2.0


def robust_center_scale(
    values: Iterable[float], abs_floor: float, rel_floor: float
) -> tuple[float, float]:
    """(median, 1.4826·MAD) with the scale floored at max(abs_floor, rel_floor·|median|)."""
    ordered = sorted(values)
    center = median(ordered)
    mad = median(abs(v - center) for v in ordered)
    return center, max(MAD_TO_SD * mad, abs_floor, rel_floor * abs(center))


class Ring:
    """The last `size` floats; memory is fixed whatever the length of the stream."""

    __slots__ = ("_values",)

    def __init__(self, size: int) -> None:
        self._values: deque[float] = deque(maxlen=size)

    def push(self, value: float) -> None:
        self._values.append(value)

    def __len__(self) -> int:
        return len(self._values)

    def values(self) -> deque[float]:
        return self._values

    def last(self) -> float:
        return self._values[-1]
