"""A small background scheduler: named jobs run every N seconds on one daemon thread.
Jobs must be idempotent (they may run again after a crash); each run is wrapped so one
failing job never stops the others."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    interval: float
    run: Callable[[], object]
    next_at: float = field(default=0.0)


class Scheduler:
    def __init__(self) -> None:
        self._jobs: list[Job] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._may_run: Callable[[], bool] = lambda: True

    def add(self, name: str, interval: float, run: Callable[[], object]) -> None:
        self._jobs.append(Job(name=name, interval=interval, run=run))

    @property
    def jobs(self) -> list[str]:
        return [j.name for j in self._jobs]

    def run_all_once(self) -> None:
        """Run every job now, in order (tests and the CLI use this)."""
        for job in self._jobs:
            job.run()

    def start(self, *, may_run: Callable[[], bool] = lambda: True) -> None:
        """Run the jobs on a daemon thread while `may_run()` (this process holds the lease)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._may_run = may_run
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            if not self._may_run():
                self._stop.wait(5.0)
                continue
            now = time.monotonic()
            for job in self._jobs:
                if now >= job.next_at:
                    try:
                        job.run()
                    except Exception:
                        log.exception("scheduled job %s failed", job.name)
                    job.next_at = time.monotonic() + job.interval
            self._stop.wait(0.5)
