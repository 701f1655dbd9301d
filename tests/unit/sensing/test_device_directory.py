"""The device cache's entries expire spread over the last quarter of their lifetime, so devices
first seen together are not all read again at one instant."""

from __future__ import annotations

from typing import Any

from cityops.sensing.ingest import DeviceDirectory


def test_entries_first_seen_together_expire_spread_out() -> None:
    directory = DeviceDirectory(reads=None, ttl=60.0)  # type: ignore[arg-type]
    expiries: list[Any] = [directory._expiry(100.0) for _ in range(500)]
    assert all(145.0 <= e <= 160.0 for e in expiries)
    assert max(expiries) - min(expiries) > 10.0  # over most of the 15 s window, not one instant
