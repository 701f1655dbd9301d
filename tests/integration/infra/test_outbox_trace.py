"""What a handler emits is caused by the event the relay handed it: same correlation id, the
event's id as causation id; and the writer thread runs each job with the trace of the request
that handed it over."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from cityops.app import Platform
from cityops.infra.outbox import UnitOfWork, outbox
from cityops.infra.writer import WriteQueue
from cityops.kernel.events import NO_TRACE, Event, current_trace, request_trace, tracing


@dataclass(frozen=True, kw_only=True)
class LeakFound(Event, wire="test.leak_found"):
    street: str


@dataclass(frozen=True, kw_only=True)
class CrewSent(Event, wire="test.crew_sent"):
    street: str


def _stored(platform: Platform) -> dict[str, tuple[str, str, str]]:
    """street → (event name, correlation id, causation id) of every stored event."""
    with platform.read() as s:
        rows = s.execute(select(outbox.c.name, outbox.c.payload).order_by(outbox.c.id)).all()
    return {
        r.payload["street"]: (r.name, r.payload["correlation_id"], r.payload["causation_id"])
        for r in rows
    }


def test_events_a_handler_emits_are_caused_by_the_event_it_handles(platform: Platform) -> None:
    def send_crew(event: LeakFound) -> None:
        with platform.uow() as uow:
            uow.emit(CrewSent(occurred_at=platform.clock.now(), street=event.street))

    platform.bus.subscribe(LeakFound, send_crew, name="t.crews")
    with tracing(request_trace("req-leak-1")), platform.uow() as uow:
        found = LeakFound(occurred_at=platform.clock.now(), street="Wenyi Rd")
        uow.emit(found)
    assert platform.relay.drain() == 2  # the leak, then the crew event its handler raised
    with platform.read() as s:
        rows = s.execute(select(outbox.c.name, outbox.c.payload).order_by(outbox.c.id)).all()
    assert [(r.name, r.payload["correlation_id"], r.payload["causation_id"]) for r in rows] == [
        ("test.leak_found", "req-leak-1", "req-leak-1"),
        ("test.crew_sent", "req-leak-1", found.event_id),
    ]


def test_an_event_raised_outside_a_request_starts_the_chain_of_what_it_causes(
    platform: Platform,
) -> None:
    traces: list[tuple[str, str]] = []

    def note(_event: LeakFound) -> None:
        trace = current_trace()
        traces.append((trace.correlation_id, trace.causation_id))

    platform.bus.subscribe(LeakFound, note, name="t.note")
    with platform.uow() as uow:  # e.g. the SLA scan: no request
        lone = LeakFound(occurred_at=platform.clock.now(), street="Moganshan Rd")
        uow.emit(lone)
    platform.relay.drain()
    assert traces == [(lone.event_id, lone.event_id)]
    assert current_trace() is NO_TRACE  # the relay leaves nothing behind


def test_a_batch_handler_gets_no_trace_of_its_own(platform: Platform) -> None:
    during: list[object] = []

    def batch(events: Sequence[LeakFound]) -> None:
        during.append((len(events), current_trace()))

    platform.bus.subscribe_batch(LeakFound, batch, name="t.batch")
    with tracing(request_trace("req-many")), platform.uow() as uow:
        for street in ("a", "b"):
            uow.emit(LeakFound(occurred_at=platform.clock.now(), street=street))
    platform.relay.drain()
    assert during == [(2, NO_TRACE)]  # it sets each event's (`caused_by`) where it acts on it


@pytest.fixture
def writes(platform: Platform) -> Iterator[WriteQueue]:
    queue = WriteQueue(platform.sessions, platform.relay)
    yield queue
    queue.stop()


def test_the_writer_runs_each_job_with_its_requests_trace(
    platform: Platform, writes: WriteQueue
) -> None:
    def emit(street: str) -> Callable[[UnitOfWork], str]:
        def work(uow: UnitOfWork) -> str:
            uow.emit(LeakFound(occurred_at=platform.clock.now(), street=street))
            return current_trace().correlation_id

        return work

    async def request(request_id: str) -> str:
        with tracing(request_trace(request_id)):
            return await writes.run(emit(request_id))

    async def main() -> list[str]:
        return list(await asyncio.gather(*(request(f"req-{i}") for i in range(8))))

    assert asyncio.run(main()) == [f"req-{i}" for i in range(8)]
    assert writes.call(emit("plain")) == ""  # a caller with no trace
    assert _stored(platform) == {
        **{f"req-{i}": ("test.leak_found", f"req-{i}", f"req-{i}") for i in range(8)},
        "plain": ("test.leak_found", "", ""),
    }
