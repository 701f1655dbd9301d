"""The web edge's own allowance (限流): public reads made without a sign-in (areas, locate,
categories — what the portal's pages ask, but reads of the map and the category tree, not of the
portal) per client address, CITYOPS_PUBLIC_READS_PER_MINUTE on the kernel's token buckets. The
portal's own allowances (submissions, tracking reads) stay with the portal."""

from __future__ import annotations

from collections.abc import Callable

from cityops.kernel.rate_limit import TokenBucket


class PublicReadLimiter:
    def __init__(self, per_minute: int, now: Callable[[], float]) -> None:
        self.per_minute = per_minute
        self._bucket = TokenBucket(per_minute, now)

    def wait_for(self, client: str) -> int:
        """Whole seconds `client` waits before its next public read; 0: go."""
        return self._bucket.retry_after(client)
