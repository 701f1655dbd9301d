"""Open311 allowances (限流): POSTs per api_key and per client address, reads per address, on the
kernel's token buckets. A refusal is the number of whole seconds to wait (Retry-After)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cityops.appeals.open311.keys import key_hash
from cityops.kernel.rate_limit import TokenBucket


@dataclass(frozen=True)
class Open311Limits:
    """Allowances a minute, per server process (see Settings.open311_*)."""

    posts_per_minute_per_key: int = 600
    posts_per_minute_per_ip: int = 1200
    reads_per_minute_per_ip: int = 600


class Open311Limiter:
    """Three sets of buckets; each method spends one token and returns 0 (go) or the seconds
    to wait."""

    def __init__(self, limits: Open311Limits, now: Callable[[], float]) -> None:
        self.limits = limits
        self._posts_by_key = TokenBucket(limits.posts_per_minute_per_key, now)
        self._posts_by_address = TokenBucket(limits.posts_per_minute_per_ip, now)
        self._reads_by_address = TokenBucket(limits.reads_per_minute_per_ip, now)

    def post_from(self, address: str) -> int:
        return self._posts_by_address.retry_after(address)

    def post_with_key(self, api_key: str) -> int:
        # keyed by the key's hash: the buckets never hold a usable key
        return self._posts_by_key.retry_after(key_hash(api_key.strip()))

    def read_from(self, address: str) -> int:
        return self._reads_by_address.retry_after(address)
