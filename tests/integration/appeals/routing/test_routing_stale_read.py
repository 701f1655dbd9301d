"""An event whose handler could not do its work is not delivered: when the router's read is
older than the case it was told about (a pooled connection on an old snapshot), the relay pass
fails, the event stays pending, and the next pass records the routing decision."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cityops.appeals.routing.handlers import INTAKE_SUBSCRIPTION, RoutingRecorder
from cityops.infra.outbox import outbox

from .conftest import RoutingCity
from .test_routing_intake import SCHOOL


def _recorder(city: RoutingCity) -> RoutingRecorder:
    batch = next(
        s.batch
        for s in city.platform.bus.subscriptions_for("CaseReported")
        if s.name == INTAKE_SUBSCRIPTION
    )
    recorder = getattr(batch, "__self__", None)
    assert isinstance(recorder, RoutingRecorder)
    return recorder


def _pending(city: RoutingCity) -> int:
    with city.platform.read() as s:
        query = select(func.count()).select_from(outbox).where(outbox.c.dispatched_at.is_(None))
        return int(s.execute(query).scalar_one())


def test_a_router_that_cannot_see_the_case_leaves_its_event_pending(
    city: RoutingCity, monkeypatch: pytest.MonkeyPatch
) -> None:
    city.drain()
    # a read session whose snapshot is taken now, before the appeal arrives
    old: Session = city.platform.readers()
    old.connection(execution_options={"isolation_level": "SERIALIZABLE"})
    old.execute(text("SELECT count(*) FROM cases")).scalar_one()

    @contextmanager
    def old_reads() -> Iterator[Session]:
        yield old

    receipt = city.submit(SCHOOL)
    monkeypatch.setattr(_recorder(city), "_reads", old_reads)
    try:
        city.drain()
    finally:
        old.rollback()
        old.close()
        monkeypatch.undo()
    case = city.case_by_number(receipt["case_number"])
    assert city.routing(case["id"])["decision"] is None
    assert _pending(city) == 1  # not counted as delivered

    city.drain()
    assert city.routing(case["id"])["decision"]["outcome"] == "auto_dispatched"
    assert _pending(city) == 0
