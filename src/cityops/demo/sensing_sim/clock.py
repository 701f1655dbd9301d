"""The accelerated clock of the simulation (加速时钟), without I/O.

Simulated time runs `speed` times faster than the real time that passes: at 60, one simulated
hour a real minute. It starts at `sim_start` (floored to the hour, so the hourly replays line up)
when the run starts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta


class SimClock:
    def __init__(self, sim_start: datetime, speed: float, real: Callable[[], float]) -> None:
        """`real`: seconds of a monotonic real clock (time.monotonic)."""
        if speed <= 0:
            raise ValueError("speed is positive")
        self.start = sim_start.replace(minute=0, second=0, microsecond=0)
        self.speed = speed
        self._real = real
        self._real0 = real()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(self._real() - self._real0) * self.speed)

    def real_seconds_until(self, sim: datetime) -> float:
        """Real seconds left until the simulated instant (≤ 0 once passed)."""
        return (sim - self.now()).total_seconds() / self.speed
