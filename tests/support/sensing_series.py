"""Synthetic sensor series where the truth is known, for the anomaly detector tests."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from cityops.sensing.model import Reading

START = datetime(2025, 1, 6, tzinfo=UTC)  # a Monday
HOUR = timedelta(hours=1)


def hourly(i: int) -> datetime:
    return START + i * HOUR


def daily_noise(n: int, seed: int, level: float = 50.0, noise: float = 2.0) -> list[float]:
    """A daily cycle (±10) plus Gaussian noise, one decimal kept, as a sensor reports it."""
    rng = random.Random(seed)
    return [
        round(level + 10 * math.sin(2 * math.pi * (i % 24) / 24) + rng.gauss(0, noise), 1)
        for i in range(n)
    ]


def readings(device: str, metric: str, values: list[float]) -> list[Reading]:
    return [Reading(device, metric, hourly(i), v) for i, v in enumerate(values)]


def stream(devices: int, metrics: int, hours: int, seed: int) -> Iterator[Reading]:
    """Readings generated on the fly, in time order, so a test can feed a long stream without
    holding it."""
    rng = random.Random(seed)
    for i in range(hours):
        for d in range(devices):
            for m in range(metrics):
                value = 50 + 10 * math.sin(2 * math.pi * (i % 24) / 24) + rng.gauss(0, 2)
                yield Reading(f"D{d}", f"m{m}", hourly(i), round(value, 1))
