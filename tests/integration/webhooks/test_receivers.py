"""Receivers that fail or hang: each receiver is sent to on a lane of its own, so one that never
answers delays neither the SLA scan nor another receiver; after a number of failures in a row
its circuit opens and its deliveries wait, unattempted, until a probe succeeds. Real sockets on
127.0.0.1, no mocked HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from ipaddress import IPv4Network
from typing import Any

from webhook_receivers import answering_receiver, hanging_receiver

from cityops.app import Platform, build_platform
from cityops.infra.settings import Settings
from cityops.kernel.actor import Actor, Role
from cityops.kernel.clock import FixedClock
from cityops.kernel.events import Event
from cityops.webhooks.public import BreakerStatus, DeliveryView, NewSubscription

SECRET = "s3cret-for-the-receiver-0123456789"
ADMIN = Actor(user_id=1, username="admin1", roles=frozenset({Role.admin}))


@dataclass(frozen=True, kw_only=True)
class MeterRead(Event, wire="test.meter_read"):
    meter: str


@contextmanager
def platform_with(settings: Settings, clock: FixedClock, **changes: Any) -> Iterator[Platform]:
    allowed = {"webhook_allow_networks": (IPv4Network("127.0.0.0/8"),)}  # the receivers here
    p = build_platform(settings.model_copy(update=allowed | changes), clock=clock, migrate=False)
    try:
        yield p
    finally:
        p.close()


def subscribe(p: Platform, url: str) -> int:
    with p.uow() as uow:
        created = p.webhooks.create_subscription(
            uow, ADMIN, NewSubscription(url=url, secret=SECRET)
        )
    return created.subscription.id


def emit(p: Platform, clock: FixedClock, count: int) -> None:
    with p.uow() as uow:
        for i in range(count):
            uow.emit(MeterRead(occurred_at=clock.now(), meter=f"M-{i}"))
    p.relay.drain()


def deliveries(p: Platform, sub_id: int) -> list[DeliveryView]:
    with p.read() as s:
        return sorted(p.webhooks.list_deliveries(s, ADMIN, sub_id), key=lambda d: d.id)


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_a_hung_receiver_delays_neither_the_sla_scan_nor_another_receiver(
    settings: Settings, clock: FixedClock
) -> None:
    timeout = 10.0  # the hung receiver's first request is held this long
    with (
        platform_with(
            settings,
            clock,
            webhook_timeout_seconds=timeout,
            webhook_interval_seconds=0.05,
            scheduler_interval_seconds=0.1,
        ) as p,
        hanging_receiver() as hung,
        answering_receiver(SECRET) as healthy,
    ):
        hung_id = subscribe(p, hung.url)
        subscribe(p, healthy.url + "/healthy")
        emit(p, clock, 10)
        started = time.monotonic()
        p.scheduler.start()

        def sla_runs() -> int:
            return {s.name: s for s in p.scheduler.status()}["sla-scan"].runs

        assert wait_until(lambda: len(healthy.got) == 10, seconds=timeout * 0.7)
        assert wait_until(lambda: sla_runs() >= 5, seconds=timeout * 0.7)
        # all of that while the hung receiver still holds its first request
        assert time.monotonic() - started < timeout
        assert hung.connections == 1
        assert wait_until(lambda: p.webhooks.busy_receivers() == [hung_id], seconds=1.0)
        assert max(g.at for g in healthy.got) - started < timeout * 0.7
        assert all(g.signature_ok for g in healthy.got)
        assert [d.attempts for d in deliveries(p, hung_id)] == [0] * 10
        jobs = {s.name: s for s in p.scheduler.status()}
        assert jobs["sla-scan"].failures == 0
        assert jobs["webhooks.deliver"].runs >= 2  # its passes go on beside the hung lane


def test_a_hung_receiver_opens_its_circuit_and_its_other_deliveries_wait(
    settings: Settings, clock: FixedClock
) -> None:
    with (
        platform_with(
            settings, clock, webhook_timeout_seconds=0.2, webhook_breaker_threshold=2
        ) as p,
        hanging_receiver() as hung,
    ):
        sub_id = subscribe(p, hung.url)
        emit(p, clock, 5)
        assert p.webhooks.deliver_due(clock.now()) == 0
        assert hung.connections == 2  # two timeouts, then nothing more is tried
        log = deliveries(p, sub_id)
        assert [(d.status, d.attempts) for d in log] == [("pending", 1)] * 2 + [("pending", 0)] * 3
        assert all("Timeout" in (d.last_error or "") for d in log[:2])
        with p.read() as s:
            breaker = p.webhooks.get_subscription(s, ADMIN, sub_id).breaker
        assert breaker.failures == 2
        assert breaker.open_until == clock.now() + timedelta(seconds=60)
        # while open, no pass sends to it, though the failed deliveries' own backoff has passed
        clock.advance(timedelta(seconds=45))
        assert p.webhooks.deliver_due(clock.now()) == 0
        assert hung.connections == 2


def test_the_circuit_closes_after_a_successful_probe(settings: Settings, clock: FixedClock) -> None:
    with (
        platform_with(settings, clock, webhook_breaker_threshold=3) as p,
        answering_receiver(SECRET) as receiver,
    ):
        sub_id = subscribe(p, receiver.url)
        receiver.planned = [503] * 3
        emit(p, clock, 6)
        assert p.webhooks.deliver_due(clock.now()) == 0
        assert len(receiver.got) == 3
        assert [d.attempts for d in deliveries(p, sub_id)] == [1, 1, 1, 0, 0, 0]
        with p.read() as s:
            breaker = p.webhooks.get_subscription(s, ADMIN, sub_id).breaker
        assert breaker.status(clock.now()) is BreakerStatus.open

        clock.advance(timedelta(seconds=59))
        assert p.webhooks.deliver_due(clock.now()) == 0
        assert len(receiver.got) == 3

        clock.advance(timedelta(seconds=2))  # half-open: a probe, then the rest
        assert p.webhooks.deliver_due(clock.now()) == 6
        assert len(receiver.got) == 9
        assert [(d.status, d.attempts) for d in deliveries(p, sub_id)] == [("delivered", 2)] * 3 + [
            ("delivered", 1)
        ] * 3
        with p.read() as s:
            breaker = p.webhooks.get_subscription(s, ADMIN, sub_id).breaker
        assert breaker.status(clock.now()) is BreakerStatus.closed
        assert (breaker.failures, breaker.open_until) == (0, None)


def test_a_failed_probe_opens_the_circuit_for_twice_as_long(
    settings: Settings, clock: FixedClock
) -> None:
    with (
        platform_with(settings, clock, webhook_breaker_threshold=3) as p,
        answering_receiver(SECRET) as receiver,
    ):
        sub_id = subscribe(p, receiver.url)
        receiver.planned = [503] * 4
        emit(p, clock, 4)
        p.webhooks.deliver_due(clock.now())
        clock.advance(timedelta(seconds=61))
        assert p.webhooks.deliver_due(clock.now()) == 0
        assert len(receiver.got) == 4  # the one probe
        with p.read() as s:
            breaker = p.webhooks.get_subscription(s, ADMIN, sub_id).breaker
        assert breaker.open_until == clock.now() + timedelta(seconds=120)
        # the probe is the delivery waiting longest: the one never tried
        assert [d.attempts for d in deliveries(p, sub_id)] == [1, 1, 1, 1]

        clock.advance(timedelta(seconds=119))
        assert p.webhooks.deliver_due(clock.now()) == 0
        clock.advance(timedelta(seconds=2))
        assert p.webhooks.deliver_due(clock.now()) == 4
        assert len(receiver.got) == 8


def test_a_lane_takes_no_new_delivery_after_its_time_budget(
    settings: Settings, clock: FixedClock
) -> None:
    with (
        platform_with(
            settings,
            clock,
            webhook_timeout_seconds=0.3,
            webhook_lane_seconds=0.4,
            webhook_breaker_threshold=100,
        ) as p,
        hanging_receiver() as hung,
    ):
        sub_id = subscribe(p, hung.url)
        emit(p, clock, 8)
        started = time.monotonic()
        assert p.webhooks.deliver_due(clock.now()) == 0
        assert time.monotonic() - started < 2.0
        tried = [d.attempts for d in deliveries(p, sub_id)]
        assert 1 <= sum(tried) <= 3
        assert tried.count(0) >= 5  # left for the next pass, not failed
