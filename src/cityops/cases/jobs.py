"""What the case engine runs without a request: the scheduled SLA scan, and (when other domains
raise events that should open or move cases, e.g. a sensing `AlarmRaised`) its subscriptions.
Called from app.py."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy.orm import Session

from cityops.cases.service import CaseService
from cityops.cases.sla_scan import SLICE_PAUSE_SECONDS
from cityops.infra.outbox import UnitOfWork
from cityops.infra.scheduler import Scheduler

# Cases whose marks are written per transaction: on SQLite a write transaction holds the
# database, so a scan that marks thousands of cases never keeps intake waiting for long.
SLA_WRITE_CHUNK = 50


def schedule_jobs(
    scheduler: Scheduler,
    cases: CaseService,
    uow: Callable[[], AbstractContextManager[UnitOfWork]],
    *,
    reads: Callable[[], AbstractContextManager[Session]],
    interval_seconds: float,
) -> None:
    """The "sla-scan" job (overdue marks, 催办, 督办): the open cases are read and judged on a
    read session, the marks written in transactions of `SLA_WRITE_CHUNK` cases."""

    def sla_scan() -> int:
        with reads() as session:
            planned = cases.plan_sla(session, pause=SLICE_PAUSE_SECONDS)
        made = 0
        for start in range(0, len(planned), SLA_WRITE_CHUNK):
            with uow() as tx:
                made += cases.write_sla(tx, planned[start : start + SLA_WRITE_CHUNK])
        return made

    scheduler.add("sla-scan", interval_seconds, sla_scan)
