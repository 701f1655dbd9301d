"""Per-client token buckets (限流): each key (an address, an api key) gets `per_minute` tokens
that refill evenly over a minute. Pure and in memory: one process, one set of buckets (with N
server workers a client may get up to N times the allowance); the clock is injected. Used by
the citizen portal and by Open311."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucket:
    """`take(key)` spends one token of `key`'s bucket: 0.0 when allowed, else the seconds until
    a token is back. Buckets hold `capacity` tokens and refill `capacity` per minute; the least
    recently used buckets are forgotten beyond `max_keys`."""

    def __init__(
        self, per_minute: int, now: Callable[[], float], *, max_keys: int = 50_000
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self._now = now
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        with self._lock:
            now = self._now()
            bucket = self._buckets.pop(key, None)
            if bucket is None:
                bucket = _Bucket(tokens=self.capacity, updated=now)
            else:
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.rate)
                bucket.updated = now
            self._buckets[key] = bucket  # most recently used last
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def retry_after(self, key: str) -> int:
        """`take(key)` in whole seconds, rounded up (for a Retry-After header); 0: go."""
        return math.ceil(self.take(key))
