"""Follow the outbox as it grows: every process (and host) reads the same committed rows in
the same order, so the outbox is the feed of live event streams (web/event_stream.py,
docs/adr/0007).

`OutboxTail` is one thread per process. It reads the rows after the last id it handed on, in id
order, and calls its listeners with each batch. It is woken on PostgreSQL by LISTEN on
`NOTIFY_CHANNEL` (`UnitOfWork.emit_all` sends the NOTIFY in the transaction that writes the
rows, so it arrives at commit, on every host) with a slow poll as a safety net, and on SQLite by
a short poll (one primary-key range read).

Ids are handed out before commit, so a later id can commit first (two writers on PostgreSQL) or
never (a rolled-back transaction). `GapHold` keeps the feed in id order: a row after a missing id
is held until the id shows up or `hold_seconds` have passed (then the id counts as rolled back).
A row whose transaction commits later than that is not sent live; it is in the table for a
client that resumes from before it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from cityops.infra.outbox import NOTIFY_CHANNEL, outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One committed outbox row: its id (the stream's event id), wire name and payload."""

    id: int
    name: str
    payload: dict[str, Any]


Listener = Callable[[Sequence[OutboxEntry]], None]


def rows_between(conn: Connection, after: int, upto: int | None, limit: int) -> list[OutboxEntry]:
    """The rows with after < id (≤ upto), in id order, at most `limit`."""
    stmt = select(outbox.c.id, outbox.c.name, outbox.c.payload).where(outbox.c.id > after)
    if upto is not None:
        stmt = stmt.where(outbox.c.id <= upto)
    rows = conn.execute(stmt.order_by(outbox.c.id).limit(limit)).all()
    return [OutboxEntry(int(r.id), str(r.name), dict(r.payload)) for r in rows]


def kept_range(conn: Connection) -> tuple[int, int]:
    """(oldest, newest) id kept in the outbox; (0, 0) when it is empty."""
    low, high = conn.execute(select(func.min(outbox.c.id), func.max(outbox.c.id))).one()
    return int(low or 0), int(high or 0)


class GapHold:
    """Hand rows on in id order: a row after a missing id waits until the id arrives or
    `hold_seconds` have passed since the gap was first seen. Pure: `now` is passed in."""

    def __init__(self, cursor: int, hold_seconds: float) -> None:
        self.cursor = cursor
        self.hold = hold_seconds
        self._gap_since: float | None = None

    @property
    def waiting(self) -> bool:
        return self._gap_since is not None

    def take(self, rows: Sequence[OutboxEntry], now: float) -> list[OutboxEntry]:
        out: list[OutboxEntry] = []
        for row in rows:
            if row.id <= self.cursor:
                continue
            if row.id != self.cursor + 1:
                if self._gap_since is None:
                    self._gap_since = now
                if now - self._gap_since < self.hold:
                    break
            out.append(row)
            self.cursor = row.id
            self._gap_since = None
        return out


class OutboxTail:
    """The per-process outbox follower (see the module docstring). `start()` reads the newest
    id synchronously, so `cursor` is set when it returns; listeners are called in the thread."""

    def __init__(
        self,
        engine: Engine,
        *,
        poll_seconds: float | None = None,
        hold_seconds: float = 1.0,
        batch_size: int = 500,
    ) -> None:
        self._engine = engine
        self._pg = engine.dialect.name == "postgresql"
        # SQLite: 50 polls a second (one primary-key range read each, about 0.1 ms), so an event
        # reaches the streams of every process within 20 ms of its commit
        self._poll = poll_seconds if poll_seconds is not None else (0.5 if self._pg else 0.02)
        self._batch = batch_size
        self._gap = GapHold(0, hold_seconds)
        self._listeners: list[Listener] = []
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def cursor(self) -> int:
        """The last id handed to the listeners."""
        return self._gap.cursor

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._stop.clear()
            with self._engine.connect() as conn:
                self._gap.cursor = kept_range(conn)[1]
            target = self._run_pg if self._pg else self._run_polling
            self._thread = threading.Thread(target=target, name="outbox-tail", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            self._wake.set()
            if self._thread is not None:
                self._thread.join(timeout=5)
                self._thread = None

    def step(self) -> int:
        """One read: hand on what is new; returns how many rows were handed on."""
        with self._engine.connect() as conn:
            rows = rows_between(conn, self._gap.cursor, None, self._batch)
            conn.rollback()
        ready = self._gap.take(rows, time.monotonic())
        if ready:
            for listener in self._listeners:
                try:
                    listener(ready)
                except Exception:  # one listener must not stop the feed of the others
                    log.exception("outbox tail listener failed")
        return len(ready)

    def _pause(self) -> float:
        return min(self._poll, 0.02) if self._gap.waiting else self._poll

    def _step_safely(self) -> int:
        try:
            return self.step()
        except Exception:  # a failed read is retried at the next wake; the thread goes on
            log.exception("outbox tail read failed")
            self._stop.wait(0.5)
            return 0

    def _run_polling(self) -> None:
        while not self._stop.is_set():
            if self._step_safely() >= self._batch:
                continue  # more is waiting
            self._wake.wait(self._pause())
            self._wake.clear()

    def _run_pg(self) -> None:
        import psycopg  # only on PostgreSQL

        url = self._engine.url.set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as listener:
                    listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self._step_safely()  # what committed before LISTEN took hold
                    while not self._stop.is_set():
                        if self._step_safely() >= self._batch:
                            continue
                        for _ in listener.notifies(timeout=self._pause(), stop_after=1):
                            pass
            except Exception:  # a lost connection: poll a moment, then listen again
                log.exception("outbox tail LISTEN connection failed")
                self._stop.wait(1.0)
