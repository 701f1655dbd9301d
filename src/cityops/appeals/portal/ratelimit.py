"""The portal's allowances per client address (e.g. 5 submissions and 60 tracking reads a
minute), on the kernel's token buckets. Public reads of the map and the category tree are the web
edge's (web.rate_limits)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cityops.kernel.rate_limit import TokenBucket


@dataclass(frozen=True)
class RateLimits:
    submits_per_minute: int = 5
    reads_per_minute: int = 60


class PortalLimiter:
    """The portal's buckets per client: submissions and the portal's reads."""

    def __init__(self, limits: RateLimits, now: Callable[[], float]) -> None:
        self.limits = limits
        self.submits = TokenBucket(limits.submits_per_minute, now)
        self.reads = TokenBucket(limits.reads_per_minute, now)

    def wait_for(self, kind: str, client: str) -> int:
        """Whole seconds to wait before `client` may do `kind` ("submit" or "read"); 0: go."""
        bucket = {"submit": self.submits, "read": self.reads}[kind]
        return bucket.retry_after(client)
