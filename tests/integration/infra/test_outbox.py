"""The outbox: events reach handlers only after commit, survive a failing handler, and are
delivered once per handler."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from cityops.app import Platform
from cityops.infra.outbox import outbox, outbox_deliveries
from cityops.kernel.events import Event


@dataclass(frozen=True, kw_only=True)
class ThingHappened(Event, wire="test.thing_happened"):
    thing: str


def test_event_delivered_after_commit_only(platform: Platform) -> None:
    seen: list[str] = []
    platform.bus.subscribe(ThingHappened, lambda e: seen.append(e.thing), name="t.seen")
    with pytest.raises(RuntimeError), platform.uow() as uow:
        uow.emit(ThingHappened(occurred_at=platform.clock.now(), thing="rolled back"))
        raise RuntimeError("boom")
    with platform.uow() as uow:
        uow.emit(ThingHappened(occurred_at=platform.clock.now(), thing="kept"))
    assert seen == []  # nothing before the relay runs
    assert platform.relay.drain() == 1
    assert seen == ["kept"]
    assert platform.relay.drain() == 0
    with platform.read() as s:  # an event every handler took is just marked done
        assert s.execute(select(outbox_deliveries)).all() == []


def test_failing_handler_is_retried_without_repeating_the_others(platform: Platform) -> None:
    calls: dict[str, int] = {"ok": 0, "flaky": 0}

    def ok(_e: ThingHappened) -> None:
        calls["ok"] += 1

    def flaky(_e: ThingHappened) -> None:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise ConnectionError("down")

    platform.bus.subscribe(ThingHappened, ok, name="t.ok")
    platform.bus.subscribe(ThingHappened, flaky, name="t.flaky")
    with platform.uow() as uow:
        uow.emit(ThingHappened(occurred_at=platform.clock.now(), thing="x"))
    assert platform.relay.drain() == 0
    with platform.read() as s:  # the handler that took it is recorded for the retry
        took = s.execute(select(outbox_deliveries.c.subscription)).scalars().all()
    assert "t.ok" in took
    assert "t.flaky" not in took
    assert platform.relay.drain() == 1
    assert calls == {"ok": 1, "flaky": 2}
    with platform.read() as s:
        row = s.execute(select(outbox.c.attempts, outbox.c.dispatched_at)).one()
    assert row.attempts == 2
    assert row.dispatched_at is not None


def test_undelivered_events_survive_a_restart(platform: Platform) -> None:
    with platform.uow() as uow:
        uow.emit(ThingHappened(occurred_at=platform.clock.now(), thing="before crash"))
    platform.close()  # the process dies before the relay ran

    from cityops.app import build_platform

    again = build_platform(platform.settings, clock=platform.clock, migrate=False)
    seen: list[str] = []
    again.bus.subscribe(ThingHappened, lambda e: seen.append(e.thing), name="t.seen")
    again.relay.drain()
    again.close()
    assert seen == ["before crash"]


def test_batch_handler_gets_a_pass_at_once_in_outbox_order(platform: Platform) -> None:
    batches: list[list[str]] = []
    platform.bus.subscribe_batch(
        ThingHappened, lambda es: batches.append([e.thing for e in es]), name="t.batch"
    )
    for thing in ("a", "b", "c"):
        with platform.uow() as uow:
            uow.emit(ThingHappened(occurred_at=platform.clock.now(), thing=thing))
    assert platform.relay.drain() == 3
    assert batches == [["a", "b", "c"]]
    assert platform.relay.drain() == 0
    assert batches == [["a", "b", "c"]]  # delivered once


def test_failing_batch_is_retried_event_by_event_so_one_bad_event_holds_back_no_other(
    platform: Platform,
) -> None:
    calls: list[list[str]] = []

    def handler(events: list[ThingHappened]) -> None:
        calls.append([e.thing for e in events])
        if any(e.thing == "bad" for e in events):
            raise ValueError("cannot handle 'bad'")

    platform.bus.subscribe_batch(ThingHappened, handler, name="t.batch")
    for thing in ("a", "bad", "c"):
        with platform.uow() as uow:
            uow.emit(ThingHappened(occurred_at=platform.clock.now(), thing=thing))
    assert platform.relay.drain() == 2  # a and c are done
    # the pass, then one by one; the relay's next pass in the same drain retries only "bad"
    assert calls == [["a", "bad", "c"], ["a"], ["bad"], ["c"], ["bad"]]
    with platform.read() as s:
        rows = s.execute(
            select(outbox.c.payload, outbox.c.dispatched_at, outbox.c.last_error).order_by(
                outbox.c.id
            )
        ).all()
    assert [r.dispatched_at is not None for r in rows] == [True, False, True]
    assert "cannot handle 'bad'" in rows[1].last_error
    calls.clear()
    assert platform.relay.drain() == 0
    assert calls == [["bad"]]  # later passes retry only the one that failed
