"""Outbox rows name their event by wire name and version, so renaming an event class does not
orphan rows not yet delivered; rows written under a class name before wire names still load."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import insert, select

import cityops.kernel.events as events_module
from cityops.app import Platform
from cityops.infra.outbox import outbox
from cityops.kernel.events import Event


@dataclass(frozen=True, kw_only=True)
class HydrantOpened(Event, wire="test.hydrant_opened", version=1):
    hydrant: str


@dataclass(frozen=True, kw_only=True)
class HydrantChecked(Event, wire="test.hydrant_checked", version=2):
    hydrant: str


def test_a_row_is_stored_under_the_wire_name_and_version(platform: Platform) -> None:
    with platform.uow() as uow:
        uow.emit(HydrantChecked(occurred_at=platform.clock.now(), hydrant="H1"))
    with platform.read() as s:
        row = s.execute(select(outbox.c.name, outbox.c.version)).one()
    assert tuple(row) == ("test.hydrant_checked", 2)


def test_a_renamed_class_still_receives_its_pending_rows(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    with platform.uow() as uow:
        uow.emit(HydrantOpened(occurred_at=platform.clock.now(), hydrant="H7"))
    # a later release renames the class: the old one is gone, the new one keeps the wire name
    by_wire = {k: v for k, v in events_module._BY_WIRE.items() if v is not HydrantOpened}
    by_class = {k: v for k, v in events_module._BY_CLASS.items() if v is not HydrantOpened}
    monkeypatch.setattr(events_module, "_BY_WIRE", by_wire)
    monkeypatch.setattr(events_module, "_BY_CLASS", by_class)

    @dataclass(frozen=True, kw_only=True)
    class FireHydrantOpened(Event, wire="test.hydrant_opened", version=1):
        hydrant: str

    seen: list[Event] = []
    platform.bus.subscribe(FireHydrantOpened, seen.append, name="t.hydrants")
    assert platform.relay.drain() == 1
    assert len(seen) == 1
    assert isinstance(seen[0], FireHydrantOpened)
    assert seen[0].hydrant == "H7"


def test_a_row_written_under_the_class_name_before_wire_names_is_delivered(
    platform: Platform,
) -> None:
    seen: list[str] = []
    platform.bus.subscribe(HydrantOpened, lambda e: seen.append(e.hydrant), name="t.legacy")
    event = HydrantOpened(occurred_at=platform.clock.now(), hydrant="H9")
    with platform.sessions.begin() as s:  # as a release before wire names wrote it
        s.execute(
            insert(outbox).values(
                event_id=event.event_id,
                name="HydrantOpened",
                payload=event.payload(),
                occurred_at=event.occurred_at,
                attempts=0,
            )
        )
    assert platform.relay.drain() == 1
    assert seen == ["H9"]


def test_a_row_of_an_unknown_wire_name_is_kept_with_its_error(platform: Platform) -> None:
    with platform.sessions.begin() as s:
        s.execute(
            insert(outbox).values(
                event_id="e" * 32,
                name="test.hydrant_opened",
                version=9,
                payload={},
                occurred_at=platform.clock.now(),
                attempts=0,
            )
        )
    assert platform.relay.drain() == 0
    with platform.read() as s:
        row = s.execute(select(outbox.c.dispatched_at, outbox.c.last_error)).one()
    assert row.dispatched_at is None
    assert "unknown event type 'test.hydrant_opened' v9" in row.last_error
