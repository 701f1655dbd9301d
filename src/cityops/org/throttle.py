"""Sign-in throttling (登录限速), pure and in memory: how long a client must wait before its next
password attempt on an account, from the failures seen (one process; with N server workers an
attacker gets up to N times the attempts, still a backoff in each).

Failures are counted per (account, address), per address and per account. After a few failures
each count asks for a wait that doubles with every further failure, up to a ceiling, counted from
that count's last failure; a count is forgotten after a quiet spell. There is no lock-out that an
attacker can aim at a real user:

- the per-account wait applies only to addresses that have themselves failed on the account as
  often as the free failures, so a correct password from an address without such failures there
  (a real user, a typo or two included) gets in however hard another address hammers the
  account;
- beyond that, every account has only a high rate of attempts (a token bucket), which slows a
  swarm of fresh addresses down and never refuses for longer than a token's refill.

Attempts refused here are not verified and not counted, so a refused client cannot push its own
wait further; only real failures do.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from cityops.kernel.errors import DomainError
from cityops.kernel.rate_limit import TokenBucket


class SignInThrottled(DomainError):
    """Too many failed sign-ins: try again after `retry_after` seconds (429)."""

    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ThrottleRules:
    """free_failures: failures of one address on one account before it waits (the same count,
    after which the account's own failures make it wait too); free_address_failures: failures of
    one address over all accounts before it waits (high: many people share an address behind a
    NAT); max_wait: the ceiling of a wait, seconds; forget_after: a count's quiet spell, seconds;
    account_attempts_per_minute: the rate of attempts on one account that no wait refused."""

    free_failures: int = 3
    free_address_failures: int = 20
    max_wait: float = 300.0
    forget_after: float = 900.0
    account_attempts_per_minute: int = 300


@dataclass
class _Count:
    failures: int
    last: float


def backoff(failures: int, free: int, max_wait: float) -> float:
    """The wait after `failures` failures of which `free` cost nothing: 1 s after the first
    failure past the free ones, then doubling, at most `max_wait`."""
    if failures < free:
        return 0.0
    return min(max_wait, 2.0 ** min(failures - free, 62))


class LoginThrottle:
    """`check(account, address)` before verifying a password (raises SignInThrottled),
    `failed(...)` after a wrong one, `succeeded(...)` after a right one. The clock is injected
    (seconds, monotonic or not)."""

    def __init__(
        self, rules: ThrottleRules, now: Callable[[], float], *, max_keys: int = 100_000
    ) -> None:
        self.rules = rules
        self._now = now
        self._max_keys = max_keys
        self._counts: dict[tuple[str, ...], _Count] = {}
        self._lock = threading.Lock()
        self._account_rate = TokenBucket(rules.account_attempts_per_minute, now)

    def check(self, account: str, address: str) -> None:
        rules = self.rules
        with self._lock:
            now = self._now()
            pair = self._count(("pair", account, address), now)
            waits = [
                self._wait(pair, rules.free_failures, now),
                self._wait(
                    self._count(("address", address), now), rules.free_address_failures, now
                ),
            ]
            if pair is not None and pair.failures >= rules.free_failures:
                waits.append(
                    self._wait(self._count(("account", account), now), rules.free_failures, now)
                )
        wait = max(waits)
        if wait > 0:
            raise SignInThrottled(
                "too many failed sign-ins from your address; try again in "
                f"{_in_words(_seconds(wait))}",
                retry_after=_seconds(wait),
            )
        wait = self._account_rate.take(account)
        if wait > 0:
            raise SignInThrottled(
                "this account is receiving very many sign-in attempts; try again in "
                f"{_in_words(_seconds(wait))}",
                retry_after=_seconds(wait),
            )

    def failed(self, account: str, address: str) -> None:
        with self._lock:
            now = self._now()
            for key in (("pair", account, address), ("address", address), ("account", account)):
                count = self._count(key, now)
                if count is None:
                    self._counts[key] = _Count(failures=1, last=now)
                else:
                    count.failures += 1
                    count.last = now
            if len(self._counts) > self._max_keys:
                self._forget(now)

    def succeeded(self, account: str, address: str) -> None:
        """A right password clears this address's failures on the account (not the account's
        or the address's: those may be someone else's)."""
        with self._lock:
            self._counts.pop(("pair", account, address), None)

    def __len__(self) -> int:
        """How many counts are held (bounded by max_keys)."""
        return len(self._counts)

    def _count(self, key: tuple[str, ...], now: float) -> _Count | None:
        count = self._counts.get(key)
        if count is not None and now - count.last > self.rules.forget_after:
            del self._counts[key]
            return None
        return count

    def _wait(self, count: _Count | None, free: int, now: float) -> float:
        if count is None:
            return 0.0
        until = count.last + backoff(count.failures, free, self.rules.max_wait)
        return max(0.0, until - now)

    def _forget(self, now: float) -> None:
        """Drop quiet counts; if still too many, the least recent half."""
        quiet = [k for k, c in self._counts.items() if now - c.last > self.rules.forget_after]
        for key in quiet:
            del self._counts[key]
        if len(self._counts) > self._max_keys:
            keep = sorted(self._counts.items(), key=lambda kv: kv[1].last)[len(self._counts) // 2 :]
            self._counts = dict(keep)


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))


def _in_words(seconds: int) -> str:
    return "1 second" if seconds == 1 else f"{seconds} seconds"
