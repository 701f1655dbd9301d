from __future__ import annotations

import time

import pytest

from cityops.kernel.ttl_cache import TtlCache


def test_value_is_reused_until_it_expires() -> None:
    loads: list[int] = []
    cache: TtlCache[int] = TtlCache(0.05)

    def load() -> int:
        loads.append(1)
        return len(loads)

    assert cache.get_or_load("k", load) == 1
    assert cache.get_or_load("k", load) == 1
    time.sleep(0.06)
    assert cache.get_or_load("k", load) == 2


def test_clear_forgets_and_errors_are_not_cached() -> None:
    cache: TtlCache[int] = TtlCache(60)
    assert cache.get_or_load("k", lambda: 1) == 1
    cache.clear()
    assert cache.get_or_load("k", lambda: 2) == 2

    def boom() -> int:
        raise LookupError("no")

    with pytest.raises(LookupError):
        cache.get_or_load("e", boom)
    assert cache.get_or_load("e", lambda: 3) == 3
