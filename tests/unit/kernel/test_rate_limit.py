"""Token buckets: the allowance per key, refilling over time, Retry-After in whole seconds and
a bounded number of remembered keys."""

from __future__ import annotations

import pytest

from cityops.kernel.rate_limit import TokenBucket


def test_token_bucket_refills_over_time() -> None:
    now = [0.0]
    bucket = TokenBucket(5, lambda: now[0])
    assert [bucket.take("a") for _ in range(5)] == [0.0] * 5
    assert bucket.take("a") == pytest.approx(12.0)
    assert bucket.take("b") == 0.0  # per key
    now[0] += 12.0
    assert bucket.take("a") == 0.0


def test_retry_after_rounds_up_to_whole_seconds() -> None:
    now = [0.0]
    bucket = TokenBucket(7, lambda: now[0])
    assert [bucket.retry_after("a") for _ in range(7)] == [0] * 7
    assert bucket.retry_after("a") == 9  # 60 / 7 = 8.57 s until a token is back
    now[0] += 8.0
    assert bucket.retry_after("a") == 1


def test_refill_never_exceeds_the_allowance() -> None:
    now = [0.0]
    bucket = TokenBucket(2, lambda: now[0])
    now[0] += 3600.0
    assert [bucket.retry_after("a") for _ in range(3)] == [0, 0, 30]


def test_forgets_least_recently_used_keys_beyond_the_bound() -> None:
    now = [0.0]
    bucket = TokenBucket(1, lambda: now[0], max_keys=2)
    assert bucket.take("a") == 0.0
    assert bucket.take("b") == 0.0
    assert bucket.take("c") == 0.0  # "a" is forgotten: it starts with a full bucket again
    assert bucket.take("a") == 0.0
    assert bucket.take("c") > 0.0  # "c" is still remembered


def test_needs_at_least_one_per_minute() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        TokenBucket(0, lambda: 0.0)
