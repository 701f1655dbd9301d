"""The telemetry writer: one thread per process stores what every channel ingests, in batches.

`submit(points, letters)` hands a channel's judged data to the writer and returns a Future that
is set once the batch holding it is committed — the MQTT workers acknowledge a message (QoS 1)
only then, so a crash before COMMIT means the broker delivers it again, and the primary key
stores it once. The queue between channels and the writer is bounded (`max_pending` points):
`submit` blocks while it is full, which holds back the MQTT client's reading and so the broker
(backpressure), never memory.

A batch is one transaction: the points (`ON CONFLICT DO NOTHING`), one reading-log row for the
rules runner, the dead letters. If the database is unavailable the batch is retried with a
growing pause (up to 5 s) until it commits, nothing answered meanwhile: ingestion pauses and
catches up. Latest values are not a row update per message: the writer keeps the newest value
of each (device, metric) it stored and upserts them every `latest_every` seconds, one row per
pair however many messages came.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from cityops.sensing import series
from cityops.sensing.partitions import PartitionKeeper
from cityops.sensing.series import DeadLetter, PointRow

log = logging.getLogger(__name__)


class WriterBusy(Exception):
    """The writer's queue stayed full for the whole wait (HTTP answers 503 with Retry-After)."""


@dataclass(eq=False)
class _Job:
    points: Sequence[PointRow]
    codes: Sequence[str]  # device code of each point, for the reading log
    letters: Sequence[DeadLetter]
    done: Future[None] = field(default_factory=Future)


class TelemetryWriter:
    def __init__(
        self,
        engine: Engine,
        now: Callable[[], datetime],
        *,
        max_pending: int = 100_000,
        max_batch: int = 20_000,
        latest_every: float = 2.0,
        log_readings: bool = True,
    ) -> None:
        self._engine = engine
        self._now = now
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._room = threading.Condition()
        self._pending = 0  # points queued or being written
        self._max_pending = max_pending
        self._max_batch = max_batch
        self._latest_every = latest_every
        self._log_readings = log_readings
        self._latest: dict[tuple[int, str], PointRow] = {}
        self._latest_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.partitions = PartitionKeeper(engine)
        self.stored_batches = 0

    # -- the channels' side ----------------------------------------------------------------
    def submit(
        self,
        points: Sequence[PointRow],
        codes: Sequence[str],
        letters: Sequence[DeadLetter] = (),
        *,
        timeout: float | None = 10.0,
    ) -> Future[None]:
        """Queue a judged payload; the Future is done once it is committed. Blocks while the
        writer holds `max_pending` points (WriterBusy after `timeout` seconds)."""
        weight = max(1, len(points))
        if weight > self._max_pending:
            raise ValueError("a payload larger than the writer's queue")
        with self._room:
            if not self._room.wait_for(
                lambda: self._pending + weight <= self._max_pending, timeout
            ):
                raise WriterBusy("telemetry writer queue is full")
            self._pending += weight
        job = _Job(points, codes, letters)
        self._queue.put(job)
        self._ensure_thread()
        return job.done

    def write_now(
        self, points: Sequence[PointRow], codes: Sequence[str], letters: Sequence[DeadLetter] = ()
    ) -> None:
        """Submit and wait for the commit."""
        self.submit(points, codes, letters).result()

    # -- the writer thread -----------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._latest_lock:
                if self._thread is None or not self._thread.is_alive():
                    self._stop.clear()
                    self._thread = threading.Thread(
                        target=self._run, name="telemetry-writer", daemon=True
                    )
                    self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)
        self.flush_latest()

    def _run(self) -> None:
        last_latest = time.monotonic()
        while not self._stop.is_set():
            try:
                first = self._queue.get(timeout=self._latest_every)
            except queue.Empty:
                first = None
            jobs = [] if first is None else [first]
            size = sum(len(j.points) for j in jobs)
            while size < self._max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    continue
                jobs.append(job)
                size += len(job.points)
            if jobs:
                self._store(jobs)
            if time.monotonic() - last_latest >= self._latest_every:
                self.flush_latest()
                last_latest = time.monotonic()

    def _store(self, jobs: list[_Job]) -> None:
        points = [p for job in jobs for p in job.points]
        letters = [d for job in jobs for d in job.letters]
        pause = 0.05
        while True:
            try:
                self.partitions.ensure(p.ts for p in points)
                with self._engine.begin() as conn:
                    series.insert_points(conn, points)
                    if self._log_readings:
                        series.log_readings(
                            conn,
                            self._now(),
                            [
                                [code, p.metric, p.ts, p.value]
                                for job in jobs
                                for code, p in zip(job.codes, job.points, strict=True)
                            ],
                        )
                    series.insert_dead_letters(conn, letters)
                break
            except (OperationalError, DBAPIError) as exc:
                if self._stop.is_set():
                    for job in jobs:
                        job.done.set_exception(exc)
                    self._release(jobs)
                    return
                log.warning("telemetry batch not stored, retrying in %.2fs: %s", pause, exc)
                time.sleep(pause)
                pause = min(5.0, pause * 2)
            except Exception as exc:  # a programming error: answer it, never hang the callers
                log.exception("telemetry batch failed")
                for job in jobs:
                    job.done.set_exception(exc)
                self._release(jobs)
                return
        with self._latest_lock:
            for point in points:
                key = (point.device_id, point.metric)
                held = self._latest.get(key)
                if held is None or point.ts >= held.ts:
                    self._latest[key] = point
        self.stored_batches += 1
        for job in jobs:
            job.done.set_result(None)
        self._release(jobs)

    def _release(self, jobs: list[_Job]) -> None:
        with self._room:
            self._pending -= sum(max(1, len(job.points)) for job in jobs)
            self._room.notify_all()

    def flush_latest(self) -> None:
        """Upsert the newest value of each (device, metric) stored since the last flush."""
        with self._latest_lock:
            pending, self._latest = self._latest, {}
        if not pending:
            return
        try:
            with self._engine.begin() as conn:
                series.upsert_latest(
                    conn, sorted(pending.values(), key=lambda p: (p.device_id, p.metric))
                )
        except (OperationalError, DBAPIError) as exc:
            log.warning("latest values not stored, kept for the next flush: %s", exc)
            with self._latest_lock:
                for key, point in pending.items():
                    held = self._latest.get(key)
                    if held is None or point.ts > held.ts:
                        self._latest[key] = point
