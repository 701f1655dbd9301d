"""The sign-in throttle's rules, on a hand-moved clock: waits per (account, address), per address
and per account, doubling with each failure, and never a lock-out of a clean address."""

from __future__ import annotations

import pytest

from cityops.org.throttle import LoginThrottle, SignInThrottled, ThrottleRules, backoff

RULES = ThrottleRules(
    free_failures=3,
    free_address_failures=10,
    max_wait=60.0,
    forget_after=600.0,
    account_attempts_per_minute=30,
)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def throttle(clock: Clock) -> LoginThrottle:
    return LoginThrottle(RULES, clock)


def wait_of(throttle: LoginThrottle, account: str, address: str) -> int:
    """0 when an attempt may go ahead, else the Retry-After it is refused with."""
    try:
        throttle.check(account, address)
    except SignInThrottled as refused:
        return refused.retry_after
    return 0


def fail(throttle: LoginThrottle, account: str, address: str, times: int = 1) -> None:
    for _ in range(times):
        throttle.failed(account, address)


@pytest.mark.parametrize(
    ("failures", "wait"), [(0, 0), (2, 0), (3, 1), (4, 2), (5, 4), (9, 60), (500, 60)]
)
def test_backoff_doubles_after_the_free_failures_up_to_the_ceiling(
    failures: int, wait: float
) -> None:
    assert backoff(failures, 3, 60.0) == wait


def test_an_address_waits_longer_after_each_failure_on_an_account(
    throttle: LoginThrottle, clock: Clock
) -> None:
    fail(throttle, "op1", "a", 2)
    assert wait_of(throttle, "op1", "a") == 0
    waits = []
    for _ in range(4):
        fail(throttle, "op1", "a")
        waits.append(wait_of(throttle, "op1", "a"))
        clock.t += waits[-1] - 0.5
        assert wait_of(throttle, "op1", "a") == 1  # half a second left, rounded up
        clock.t += 0.5
        assert wait_of(throttle, "op1", "a") == 0
    assert waits == [1, 2, 4, 8]


def test_a_clean_address_is_never_held_up_by_anothers_failures(
    throttle: LoginThrottle, clock: Clock
) -> None:
    fail(throttle, "op1", "attacker", 40)
    assert wait_of(throttle, "op1", "attacker") == 60
    assert wait_of(throttle, "op1", "owner") == 0
    fail(throttle, "op1", "owner", 2)  # two typos
    assert wait_of(throttle, "op1", "owner") == 0
    fail(throttle, "op1", "owner")  # a third: now the account's failures count for it too
    assert wait_of(throttle, "op1", "owner") == 60


def test_a_refusal_says_when_to_try_again(throttle: LoginThrottle) -> None:
    fail(throttle, "op1", "a", 4)
    with pytest.raises(SignInThrottled) as refused:
        throttle.check("op1", "a")
    assert refused.value.code == "too_many_attempts"
    assert refused.value.retry_after == 2
    assert refused.value.message.endswith("from your address; try again in 2 seconds")


def test_a_right_password_clears_that_address_only(throttle: LoginThrottle) -> None:
    fail(throttle, "op1", "a", 5)
    fail(throttle, "op1", "b", 5)
    throttle.succeeded("op1", "a")
    assert wait_of(throttle, "op1", "a") == 0
    assert wait_of(throttle, "op1", "b") > 0


def test_an_address_guessing_across_accounts_waits(throttle: LoginThrottle) -> None:
    for n in range(10):
        assert wait_of(throttle, f"user{n}", "sprayer") == 0
        fail(throttle, f"user{n}", "sprayer")
    assert wait_of(throttle, "user99", "sprayer") == 1
    assert wait_of(throttle, "user99", "elsewhere") == 0


def test_failures_are_forgotten_after_a_quiet_spell(throttle: LoginThrottle, clock: Clock) -> None:
    fail(throttle, "op1", "a", 8)
    clock.t += RULES.forget_after + 1
    assert wait_of(throttle, "op1", "a") == 0
    fail(throttle, "op1", "a")
    assert wait_of(throttle, "op1", "a") == 0  # counting starts again


def test_an_account_takes_a_high_rate_of_attempts_then_slows_them(
    throttle: LoginThrottle, clock: Clock
) -> None:
    """A swarm of fresh addresses (one attempt each) is slowed to the account's rate, and the
    refusal lasts only until the next attempt is due."""
    allowed = [wait_of(throttle, "op1", f"bot{n}") for n in range(31)]
    assert allowed == [0] * 30 + [2]  # 30 a minute: one every 2 s
    clock.t += 2
    assert wait_of(throttle, "op1", "owner") == 0
    assert wait_of(throttle, "hd1", "bot0") == 0  # other accounts are not affected


def test_memory_is_bounded(clock: Clock) -> None:
    throttle = LoginThrottle(RULES, clock, max_keys=100)
    for n in range(1000):
        clock.t += 0.001
        throttle.failed(f"user{n}", f"addr{n}")
    assert len(throttle) <= 100
