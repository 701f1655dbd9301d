"""The current trace: an event built while one is current carries its correlation and causation
ids; `caused_by` continues an event's chain; the trace is undone when its block ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cityops.kernel.events import (
    NO_TRACE,
    Event,
    Trace,
    caused_by,
    current_trace,
    request_trace,
    tracing,
)

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@dataclass(frozen=True, kw_only=True)
class BinEmptied(Event, wire="test.bin_emptied"):
    bin: str


def test_an_event_built_outside_any_trace_has_no_ids() -> None:
    e = BinEmptied(occurred_at=AT, bin="B1")
    assert (e.correlation_id, e.causation_id) == ("", "")
    assert current_trace() is NO_TRACE


def test_an_event_built_in_a_request_carries_the_request_id_twice() -> None:
    with tracing(request_trace("req-42")):
        e = BinEmptied(occurred_at=AT, bin="B1")
    assert (e.correlation_id, e.causation_id) == ("req-42", "req-42")
    assert BinEmptied(occurred_at=AT, bin="B2").correlation_id == ""


def test_ids_given_explicitly_win_over_the_current_trace() -> None:
    with tracing(request_trace("req-42")):
        e = BinEmptied(occurred_at=AT, bin="B1", correlation_id="c", causation_id="e")
    assert (e.correlation_id, e.causation_id) == ("c", "e")


def test_work_caused_by_an_event_keeps_its_chain_and_names_it_the_cause() -> None:
    with tracing(request_trace("req-42")):
        first = BinEmptied(occurred_at=AT, bin="B1")
    with tracing(caused_by(first)):
        second = BinEmptied(occurred_at=AT, bin="B2")
        with tracing(caused_by(second)):
            third = BinEmptied(occurred_at=AT, bin="B3")
        assert current_trace() == caused_by(first)
    assert (second.correlation_id, second.causation_id) == ("req-42", first.event_id)
    assert (third.correlation_id, third.causation_id) == ("req-42", second.event_id)


def test_an_event_outside_any_chain_starts_its_own() -> None:
    lone = BinEmptied(occurred_at=AT, bin="B1")
    assert caused_by(lone) == Trace(correlation_id=lone.event_id, causation_id=lone.event_id)
