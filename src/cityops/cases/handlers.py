"""What the case engine runs without a request: the scheduled SLA scan, and (when other domains
raise events that should open or move cases, e.g. a sensing `AlarmRaised`) its subscriptions.
Called from app.py."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from cityops.cases.service import CaseService
from cityops.infra.outbox import UnitOfWork
from cityops.infra.scheduler import Scheduler


def schedule_jobs(
    scheduler: Scheduler,
    cases: CaseService,
    uow: Callable[[], AbstractContextManager[UnitOfWork]],
    *,
    interval_seconds: float,
) -> None:
    """The "sla-scan" job: one transaction per run (overdue marks, 催办, 督办)."""

    def sla_scan() -> int:
        with uow() as tx:
            return cases.scan_sla(tx)

    scheduler.add("sla-scan", interval_seconds, sla_scan)
