"""Transactional outbox: events are written in the same transaction as the change that raised
them, and a relay hands them to the bus after commit. A crash between commit and delivery loses
nothing: the relay picks up every row not yet delivered, handler by handler.

A row names its event by wire name and version (kernel/events.py), never by class name. The relay
calls each handler with the handled event's trace current, so what the handler emits is caused by
that event and belongs to its chain (its `correlation_id`)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from cityops.infra.bus import EventBus, Subscription
from cityops.infra.db import UTCDateTime, metadata
from cityops.kernel.clock import Clock
from cityops.kernel.events import (
    NO_TRACE,
    Event,
    caused_by,
    event_from_payload,
    event_type,
    tracing,
)

log = logging.getLogger(__name__)

outbox = Table(
    "outbox",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("event_id", String(32), nullable=False, unique=True),
    Column("name", String(80), nullable=False),  # the wire name
    Column("version", Integer, nullable=False, default=1),
    Column("payload", JSON, nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("dispatched_at", UTCDateTime(), nullable=True, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
)

outbox_deliveries = Table(
    "outbox_deliveries",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("event_id", String(32), nullable=False),
    Column("subscription", String(120), nullable=False),
    Column("delivered_at", UTCDateTime(), nullable=False),
    UniqueConstraint("event_id", "subscription", name="uq_outbox_deliveries_event_sub"),
)


class UnitOfWork:
    """One transaction of a use case, plus the events it raises (written to the outbox)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.events: list[Event] = []

    def emit(self, event: Event) -> None:
        self.emit_all([event])

    def emit_all(self, events: Sequence[Event]) -> None:
        """Write events to the outbox, in one statement however many they are."""
        if not events:
            return
        self.events.extend(events)
        self.session.execute(_INSERT_EVENT, [_outbox_row(event) for event in events])
        if self.session.get_bind().dialect.name == "postgresql":
            # delivered at commit to every process listening (infra/outbox_tail.py); PostgreSQL
            # folds the repeats of one transaction into one
            self.session.execute(_NOTIFY)


def _outbox_row(event: Event) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "name": event.wire_name,
        "version": event.wire_version,
        "payload": json.loads(json.dumps(event.payload(), default=str)),
        "occurred_at": event.occurred_at,
        "attempts": 0,
    }


_INSERT_EVENT = insert(outbox)
NOTIFY_CHANNEL = "cityops_outbox"  # live event streams listen here (infra/outbox_tail.py)
_NOTIFY = text(f"SELECT pg_notify('{NOTIFY_CHANNEL}', '')")


class OutboxRelay:
    """Delivers committed events to the bus. `drain()` is synchronous (tests call it); `wake()`
    nudges the background thread started by `start()`."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        bus: EventBus,
        clock: Clock,
        *,
        batch_size: int = 200,
        max_attempts: int = 10,
        reads: sessionmaker[Session] | None = None,
    ) -> None:
        self._sessions = sessions
        # what is pending and who saw it are read without SQLite's write lock when given
        self._reads = reads or sessions
        self._bus = bus
        self._clock = clock
        self._batch = batch_size
        self._max_attempts = max_attempts
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def wake(self) -> None:
        self._wake.set()

    def drain(self) -> int:
        """Deliver every pending event; returns how many rows were fully delivered."""
        done = 0
        with self._lock:
            while True:
                with self._reads() as s:
                    rows = s.execute(
                        select(
                            outbox.c.id,
                            outbox.c.event_id,
                            outbox.c.name,
                            outbox.c.version,
                            outbox.c.payload,
                            outbox.c.attempts,
                        )
                        .where(
                            outbox.c.dispatched_at.is_(None),
                            outbox.c.attempts < self._max_attempts,
                        )
                        .order_by(outbox.c.id)
                        .limit(self._batch)
                    ).all()
                    s.rollback()
                if not rows:
                    return done
                delivered = self._deliver_batch(rows)
                done += delivered
                if delivered == 0:
                    return done

    def _deliver_batch(self, rows: Sequence[Any]) -> int:
        """Hand a batch to the handlers, then record in one transaction which events are done.
        Which handler saw an event is recorded only for an event that failed somewhere, so its
        retry skips the handlers that took it; for the rest, "done" says it all. A crash before
        that record repeats the batch's handlers (at-least-once), never skips one."""
        types: dict[int, type[Event]] = {}  # row id → the class its wire name names today
        for row in rows:
            try:
                types[row.id] = event_type(row.name, row.version)
            except KeyError:
                continue
        # only an event tried before can have handlers that took it already
        retried = [
            r.event_id
            for r in rows
            if r.attempts and r.id in types and self._bus.subscriptions_for(types[r.id].name)
        ]
        seen: set[tuple[str, str]] = set()
        if retried:
            with self._reads() as s:
                seen = {
                    (e, sub)
                    for e, sub in s.execute(
                        select(
                            outbox_deliveries.c.event_id, outbox_deliveries.c.subscription
                        ).where(outbox_deliveries.c.event_id.in_(retried))
                    )
                }
                s.rollback()
        now = self._clock.now()
        took: dict[int, list[str]] = {}  # row id → the subscriptions that took its event
        failures: dict[int, str] = {}
        batched: dict[str, tuple[Subscription, list[tuple[int, Event]]]] = {}

        def deliver(row_id: int, event: Event, sub: Subscription) -> None:
            try:
                with tracing(caused_by(event)):
                    sub.handler(event)
            except Exception as exc:  # a failing handler must not block the others
                log.exception("handler %s failed on %s %s", sub.name, event.name, event.event_id)
                failures[row_id] = f"{sub.name}: {exc!r}"
                return
            took.setdefault(row_id, []).append(sub.name)

        for row in rows:
            try:
                event = event_from_payload(row.name, dict(row.payload), row.version)
            except (KeyError, TypeError, ValueError) as exc:
                failures[row.id] = f"cannot decode: {exc}"
                continue
            for sub in self._bus.subscriptions_for(event.name):
                if (row.event_id, sub.name) in seen:
                    continue
                if sub.batch is not None:
                    batched.setdefault(sub.name, (sub, []))[1].append((row.id, event))
                else:
                    deliver(row.id, event, sub)
        for sub, items in batched.values():
            assert sub.batch is not None
            if len(items) == 1:
                deliver(*items[0], sub)
                continue
            try:
                # a batch handler sets each event's trace itself (`caused_by`) where it acts on it
                with tracing(NO_TRACE):
                    sub.batch([event for _, event in items])
            except Exception:
                log.exception("batch handler %s failed; retrying its events one by one", sub.name)
                for row_id, event in items:
                    deliver(row_id, event, sub)
                continue
            for row_id, _ in items:
                took.setdefault(row_id, []).append(sub.name)
        event_ids = {row.id: row.event_id for row in rows}
        deliveries = [
            {"event_id": event_ids[row_id], "subscription": name, "delivered_at": now}
            for row_id in failures
            for name in took.get(row_id, ())
        ]
        finished = [row.id for row in rows if row.id not in failures]
        with self._sessions.begin() as s:
            if deliveries:
                s.execute(insert(outbox_deliveries), deliveries)
            if finished:
                s.execute(
                    update(outbox)
                    .where(outbox.c.id.in_(finished))
                    .values(dispatched_at=now, attempts=outbox.c.attempts + 1)
                )
            for row_id, error in failures.items():
                s.execute(
                    update(outbox)
                    .where(outbox.c.id == row_id)
                    .values(attempts=outbox.c.attempts + 1, last_error=error[:2000])
                )
        return len(finished)

    def pending_count(self) -> int:
        with self._reads() as s:
            rows = s.execute(select(outbox.c.id).where(outbox.c.dispatched_at.is_(None))).all()
            return len(rows)

    def start(self, interval: float, *, may_run: Callable[[], bool] = lambda: True) -> None:
        """Relay in a background thread, woken after each commit and every `interval` seconds;
        `may_run` says whether this process is the one that relays (see infra/lease.py)."""
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                self._wake.wait(interval)
                self._wake.clear()
                if self._stop.is_set():
                    break
                try:
                    if may_run():
                        self.drain()
                except Exception:
                    log.exception("outbox relay pass failed")

        self._thread = threading.Thread(target=loop, name="outbox-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


@contextmanager
def unit_of_work(
    sessions: sessionmaker[Session], relay: OutboxRelay | None = None
) -> Iterator[UnitOfWork]:
    """Run a use case in one transaction; its events are delivered only if it commits."""
    session = sessions()
    uow = UnitOfWork(session)
    try:
        yield uow
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    if uow.events and relay is not None:
        relay.wake()
