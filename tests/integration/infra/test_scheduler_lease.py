"""With two processes on one database, only the holder of the background lease runs the
scheduled jobs (each on its thread); when it lets go, the other takes over."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from cityops.infra import scheduler as scheduler_module
from cityops.infra.db import make_engine
from cityops.infra.lease import BackgroundLease
from cityops.infra.scheduler import Scheduler


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_only_the_lease_holder_runs_the_jobs(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduler_module, "LEASE_RETRY_SECONDS", 0.05)
    engines = [make_engine(db_url), make_engine(db_url)]  # two server processes
    leases = [BackgroundLease(e) for e in engines]
    runs: dict[str, int] = {"first": 0, "second": 0}
    schedulers = [Scheduler(), Scheduler()]
    for name, scheduler in zip(runs, schedulers, strict=True):

        def job(name: str = name) -> None:
            runs[name] += 1

        scheduler.add("sla-scan", 0.02, job)
    try:
        assert leases[0].held()
        for scheduler, lease in zip(schedulers, leases, strict=True):
            scheduler.start(may_run=lease.held)
        assert wait_until(lambda: runs["first"] >= 3)
        assert runs["second"] == 0
        schedulers[0].stop()
        leases[0].release()
        assert wait_until(lambda: runs["second"] >= 3)
    finally:
        for scheduler in schedulers:
            scheduler.stop()
        for lease in leases:
            lease.release()
        for engine in engines:
            engine.dispose()
