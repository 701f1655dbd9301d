"""Background jobs: each named job runs every N seconds on a daemon thread of its own, so a slow
or hung job (a webhook receiver that never answers) never delays another (the SLA scan, 催办/督办).

A job is never started again while it runs: its thread runs it, waits its interval from the end
of the run, and runs it again. A failing run is logged and the job runs at its next interval.
Jobs must be idempotent (they may run again after a crash) and bound their own running time;
a run that takes longer than the job's `budget` is logged, so an overrun is seen, not guessed.
Only while `may_run()` (this process holds the background lease) do the threads run their jobs.
`run_all_once()` runs every job in order on the caller's thread (tests and the CLI use it)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

# How long a job thread waits before asking for the lease again when another process holds it.
LEASE_RETRY_SECONDS = 5.0
# How long stop() waits, in all, for the job threads to finish what they are running.
STOP_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class JobStatus:
    """What a job has done since the process started (times are `time.monotonic()` seconds)."""

    name: str
    interval: float
    budget: float
    runs: int
    failures: int
    running: bool
    last_started: float | None
    last_seconds: float | None


class _Job:
    def __init__(self, name: str, interval: float, run: Callable[[], object], budget: float):
        self.name = name
        self.interval = interval
        self.run = run
        self.budget = budget
        self.lock = threading.Lock()  # held while the job runs: never two runs at once
        self.runs = 0
        self.failures = 0
        self.last_started: float | None = None
        self.last_seconds: float | None = None

    def run_once(self) -> None:
        """One run, logged when it fails or overruns its budget; the caller's thread runs it."""
        with self.lock:
            started = time.monotonic()
            self.last_started = started
            try:
                self.run()
            except Exception:
                self.failures += 1
                log.exception(
                    "scheduled job %s failed; it runs again in %s s", self.name, self.interval
                )
            finally:
                self.runs += 1
                self.last_seconds = time.monotonic() - started
            if self.last_seconds > self.budget:
                log.warning(
                    "scheduled job %s ran %.1f s, over its budget of %.1f s",
                    self.name,
                    self.last_seconds,
                    self.budget,
                )

    def status(self) -> JobStatus:
        return JobStatus(
            name=self.name,
            interval=self.interval,
            budget=self.budget,
            runs=self.runs,
            failures=self.failures,
            running=self.lock.locked(),
            last_started=self.last_started,
            last_seconds=self.last_seconds,
        )


class Scheduler:
    def __init__(self) -> None:
        self._jobs: list[_Job] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._may_run: Callable[[], bool] = lambda: True

    def add(
        self,
        name: str,
        interval: float,
        run: Callable[[], object],
        *,
        budget: float | None = None,
    ) -> None:
        """Run `run` every `interval` seconds; `budget` (default: the interval) is how long a run
        may take before the overrun is logged. Jobs added after start() run from the next one."""
        if any(job.name == name for job in self._jobs):
            raise ValueError(f"a job named {name!r} is scheduled already")
        self._jobs.append(_Job(name, interval, run, interval if budget is None else budget))

    @property
    def jobs(self) -> list[str]:
        return [j.name for j in self._jobs]

    def status(self) -> list[JobStatus]:
        return [j.status() for j in self._jobs]

    def run_all_once(self) -> None:
        """Run every job now, in order, on this thread (tests and the CLI use this). A job its
        thread is running at this moment is waited for, then run again."""
        for job in self._jobs:
            with job.lock:
                job.run()

    def start(self, *, may_run: Callable[[], bool] = lambda: True) -> None:
        """One daemon thread per job, running it while `may_run()` (this process holds the
        lease)."""
        if self._threads:
            return
        self._stop.clear()
        self._may_run = may_run
        for job in self._jobs:
            thread = threading.Thread(
                target=self._loop, args=(job,), name=f"job-{job.name}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def stop(self) -> None:
        """Ask every job thread to end and wait for them (at most STOP_WAIT_SECONDS in all): a
        run in progress finishes, a job that hangs is left to its daemon thread."""
        self._stop.set()
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("scheduler thread %s did not stop in time", thread.name)
        self._threads = []

    def _loop(self, job: _Job) -> None:
        wait = 0.0  # the first run at once
        while not self._stop.wait(wait):
            if not self._may_run():
                wait = LEASE_RETRY_SECONDS
                continue
            job.run_once()
            wait = job.interval
