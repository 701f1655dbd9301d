"""Group commit: one writer thread per process runs the busy write use cases, many to a
transaction.

A request prepares its write (validation, lookups, arithmetic — everything that needs no write
lock) and hands the rest to `WriteQueue`: `run(work)` for a function of a UnitOfWork, or
`run_many(work, item)` for a function that stores many prepared items at once. The writer thread
takes every job waiting at that moment (up to `max_batch`), runs them in one transaction, commits
once, and only then answers each waiting request with its result or its error. So:

- an acknowledged write is committed: nobody hears "done" before COMMIT returned;
- each job (or each run of consecutive `run_many` jobs of one function, stored together) runs in
  a SAVEPOINT of its own; if it raises, only it is undone, and a group is retried item by item
  so that one bad item fails alone; a `run_many` function may also return an exception in an
  item's place (an item it refused before writing anything for it);
- if COMMIT itself fails, every request of the batch gets that error and nothing of the batch
  is stored;
- jobs of one batch run one after another in the order they came, so each sees the ones before
  it (two actions on one case in one batch: the second meets the first's new version);
- a job runs in a copy of the context it was handed over in (contextvars), so the events it
  emits carry the request's trace (kernel/events.py); a run of batched items runs in its first
  item's, and each item carries its request's trace itself (`PreparedCase.trace`).

Why: on SQLite one writer holds the database at a time. With a transaction per request, worker
threads queue on the write lock and the holder is slowed by every other thread wanting the GIL,
so the lock is held far longer than the work takes. One thread per process, writing prepared
rows in batches, holds it once per batch, pays BEGIN and COMMIT once per batch and issues one
multi-row statement per table instead of one per row. PostgreSQL gains too: one commit (one WAL
flush) per batch instead of one per request.

Nothing waits to fill a batch: when the writer is idle a lone request runs at once, so a quiet
system sees no added latency; batches form only while the writer is busy.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from cityops.infra.outbox import OutboxRelay, UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type of a batched write
R = TypeVar("R")

ManyWork = Callable[[UnitOfWork, Sequence[Any]], Sequence[Any]]


@dataclass(eq=False)
class _Job:
    work: Callable[[UnitOfWork], Any] | None = None  # a single job…
    many: ManyWork | None = None  # …or one item of a batched write
    item: Any = None
    future: Future[Any] = field(default_factory=Future)
    # the submitting request's context variables (its trace), for the writer thread to run in
    context: contextvars.Context = field(default_factory=contextvars.copy_context)


@dataclass
class WriterStats:
    """What the writer has done since it started (benchmarks read it)."""

    batches: int = 0
    jobs: int = 0
    largest: int = 0
    failed_commits: int = 0


class WriteQueue:
    """platform.writes: the per-process writer thread (see the module docstring)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        relay: OutboxRelay | None = None,
        *,
        max_batch: int = 64,
    ) -> None:
        self._sessions = sessions
        self._relay = relay
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.stats = WriterStats()

    # ---- submitting ---------------------------------------------------------------------

    async def run(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run `work` in the writer's next transaction; wait (without blocking the event loop)
        until that transaction has committed. Its result or its error comes back."""
        result: T = await asyncio.wrap_future(self._submit(_Job(work=work)))
        return result

    async def run_many(
        self, work: Callable[[UnitOfWork, Sequence[I]], Sequence[R | BaseException]], item: I
    ) -> R:
        """Store `item` with `work(uow, items)`, which the writer calls once for every run of
        waiting items handed to the same function; returns this item's result once committed."""
        result: R = await asyncio.wrap_future(self._submit(_Job(many=work, item=item)))
        return result

    def call(self, work: Callable[[UnitOfWork], T]) -> T:
        """`run` for a plain thread: blocks until committed."""
        result: T = self.submit(work).result()
        return result

    def submit(self, work: Callable[[UnitOfWork], T]) -> Future[T]:
        """Queue `work`; the future is resolved once its transaction has committed."""
        return self._submit(_Job(work=work))

    def submit_many(
        self, work: Callable[[UnitOfWork, Sequence[I]], Sequence[R | BaseException]], item: I
    ) -> Future[R]:
        """Queue one item for a batched write; resolved once committed."""
        return self._submit(_Job(many=work, item=item))

    def _submit(self, job: _Job) -> Future[Any]:
        self._ensure_started()
        self._queue.put(job)
        return job.future

    # ---- the thread -------------------------------------------------------------------------

    def stop(self) -> None:
        """Finish what is queued, then stop the thread (a later submit starts it again)."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join(timeout=30)

    def _ensure_started(self) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="writer", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            try:
                self._run_batch(batch)
            except BaseException as exc:  # never leave a request waiting forever
                log.exception("writer batch failed")
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(exc)
            if stop:
                return

    # ---- one batch --------------------------------------------------------------------------

    def _run_batch(self, batch: list[_Job]) -> None:
        live = [job for job in batch if job.future.set_running_or_notify_cancel()]
        outcomes: dict[int, tuple[Any, BaseException | None]] = {}
        emitted = False
        session = self._sessions()
        try:
            for group in _groups(live):
                emitted = self._run_group(session, group, outcomes) or emitted
            session.commit()
        except BaseException as exc:
            log.exception("a write batch of %d jobs failed to commit", len(live))
            session.rollback()
            self.stats.failed_commits += 1
            outcomes = {id(job): (None, exc) for job in live}
            emitted = False
        finally:
            session.close()
        self.stats.batches += 1
        self.stats.jobs += len(live)
        self.stats.largest = max(self.stats.largest, len(live))
        for job in live:
            result, error = outcomes[id(job)]
            if error is None:
                job.future.set_result(result)
            else:
                job.future.set_exception(error)
        if emitted and self._relay is not None:
            self._relay.wake()

    def _run_group(
        self,
        session: Session,
        group: list[_Job],
        outcomes: dict[int, tuple[Any, BaseException | None]],
    ) -> bool:
        """Run one job, or one run of batched items, in a savepoint; record each job's outcome.
        Returns whether events were emitted."""
        uow = UnitOfWork(session)
        savepoint = session.begin_nested()
        try:
            head = group[0]
            if head.many is None:
                assert head.work is not None
                results: Sequence[Any] = [head.context.run(head.work, uow)]
            else:
                results = head.context.run(head.many, uow, [job.item for job in group])
                if len(results) != len(group):
                    raise RuntimeError(
                        f"{head.many!r} returned {len(results)} results for {len(group)} items"
                    )
            savepoint.commit()
        except BaseException as exc:
            savepoint.rollback()
            if len(group) == 1:
                outcomes[id(group[0])] = (None, exc)
                return False
            # one bad item must not fail the others: store them one by one
            emitted = False
            for job in group:
                emitted = self._run_group(session, [job], outcomes) or emitted
            return emitted
        for job, result in zip(group, results, strict=True):
            if isinstance(result, BaseException):
                outcomes[id(job)] = (None, result)
            else:
                outcomes[id(job)] = (result, None)
        return bool(uow.events)


def _groups(jobs: list[_Job]) -> list[list[_Job]]:
    """Consecutive items of one batched function form a group; a single job is its own."""
    groups: list[list[_Job]] = []
    for job in jobs:
        if (
            job.many is not None
            and groups
            and groups[-1][0].many is not None
            and groups[-1][0].many == job.many
        ):
            groups[-1].append(job)
        else:
            groups.append([job])
    return groups
