"""The circuit breaker of a webhook receiver: closed until the threshold of failures in a row,
then open for a period that doubles with each opening in a row, half-open after it; a success
closes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cityops.webhooks.model import Breaker, BreakerStatus, open_period

T = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_failures_below_the_threshold_keep_it_closed() -> None:
    breaker = Breaker()
    for _ in range(2):
        breaker = breaker.after_failure(T, threshold=3)
    assert breaker == Breaker(failures=2)
    assert breaker.status(T) is BreakerStatus.closed


def test_the_threshold_opens_it_until_the_period_ends_then_it_is_half_open() -> None:
    breaker = Breaker(failures=2).after_failure(T, threshold=3)
    assert breaker.open_until == T + timedelta(seconds=60)
    assert breaker.status(T + timedelta(seconds=59)) is BreakerStatus.open
    assert breaker.status(T + timedelta(seconds=60)) is BreakerStatus.half_open


def test_a_failed_probe_opens_it_again_for_longer() -> None:
    opened = Breaker(failures=2).after_failure(T, threshold=3)
    probe_at = T + timedelta(seconds=61)
    again = opened.after_failure(probe_at, threshold=3)
    assert again.openings == 2
    assert again.open_until == probe_at + timedelta(seconds=120)


def test_a_success_closes_it() -> None:
    opened = Breaker(failures=7, openings=3, open_until=T)
    assert opened.after_success() == Breaker()
    assert opened.after_success().status(T) is BreakerStatus.closed


@pytest.mark.parametrize(
    ("openings", "seconds"), [(1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600), (50, 3600)]
)
def test_the_open_period_doubles_from_a_minute_up_to_an_hour(openings: int, seconds: int) -> None:
    assert open_period(openings) == timedelta(seconds=seconds)
