"""Webhooks reach only public addresses unless a network is allowed: refused when a subscription
is made and again on every delivery after resolving the name; a request goes to the address
that was checked, naming the host it was made for; the log keeps only the reply's status line."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network

import pytest
from fastapi.testclient import TestClient
from webhook_receivers import Receiver, answering_receiver

from cityops.app import Platform, build_platform
from cityops.infra.settings import Settings
from cityops.kernel.actor import Actor, Role
from cityops.kernel.clock import FixedClock
from cityops.kernel.events import Event
from cityops.webhooks import store
from cityops.webhooks.public import NewSubscription

SECRET = "s3cret-for-the-receiver-0123456789"
ADMIN = {"X-Test-Role": "admin"}
ADMIN_ACTOR = Actor(user_id=1, username="admin1", roles=frozenset({Role.admin}))


@dataclass(frozen=True, kw_only=True)
class LampFailed(Event, wire="test.lamp_failed"):
    lamp: str


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with answering_receiver(SECRET) as state:
        yield state


def local_name(receiver: Receiver) -> str:
    """The receiver's URL by the name localhost instead of 127.0.0.1."""
    return receiver.url.replace("127.0.0.1", "localhost") + "/hook"


def emit(platform: Platform, clock: FixedClock) -> None:
    with platform.uow() as uow:
        uow.emit(LampFailed(occurred_at=clock.now(), lamp="L-7"))
    platform.relay.drain()


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:22/",
        "http://localhost:9200/_search",
        "http://192.168.1.1/admin",
        "http://[::ffff:7f00:1]/",
    ],
)
def test_an_internal_target_is_refused_by_default(api: TestClient, url: str) -> None:
    r = api.post("/api/v1/webhooks", json={"url": url, "secret": SECRET}, headers=ADMIN)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "webhook_target_refused"
    assert api.get("/api/v1/webhooks", headers=ADMIN).json() == []


def test_a_subscription_that_now_resolves_inside_is_refused_at_delivery(
    platform: Platform, receiver: Receiver, clock: FixedClock
) -> None:
    # a subscription stored before the check (or whose name resolved elsewhere when it was made)
    with platform.uow() as uow:
        sub_id = store.insert_subscription(
            uow.session,
            url=local_name(receiver),
            secret=SECRET,
            event_names=["*"],
            description="",
            created_at=clock.now(),
            created_by="admin1",
        )
    emit(platform, clock)
    assert platform.webhooks.deliver_due(clock.now()) == 0
    assert receiver.got == []
    with platform.read() as s:
        [delivery] = store.recent_deliveries(s, sub_id, 10)
    assert delivery.status == "pending"
    assert delivery.attempts == 1
    assert delivery.last_error == "refused: 127.0.0.1 is a loopback address"


@pytest.fixture
def allowing(settings: Settings, clock: FixedClock) -> Iterator[Platform]:
    """A platform whose webhooks may reach 127.0.0.0/8 (CITYOPS_WEBHOOK_ALLOW_NETWORKS)."""
    allowed = {"webhook_allow_networks": (IPv4Network("127.0.0.0/8"),)}
    p = build_platform(settings.model_copy(update=allowed), clock=clock, migrate=False)
    yield p
    p.close()


def subscribe(p: Platform, url: str) -> int:
    with p.uow() as uow:
        created = p.webhooks.create_subscription(
            uow, ADMIN_ACTOR, NewSubscription(url=url, secret=SECRET)
        )
    return created.subscription.id


def test_an_allowed_network_is_reached_at_the_checked_address_by_its_name(
    allowing: Platform, receiver: Receiver, clock: FixedClock
) -> None:
    subscribe(allowing, local_name(receiver))
    emit(allowing, clock)
    assert allowing.webhooks.deliver_due(clock.now()) == 1
    [got] = receiver.got
    port = receiver.url.rsplit(":", 1)[1]
    assert got.host == f"localhost:{port}"
    assert got.path == "/hook"
    assert got.signature_ok


def test_the_log_keeps_the_status_line_of_a_reply_not_its_body(
    allowing: Platform, receiver: Receiver, clock: FixedClock
) -> None:
    sub_id = subscribe(allowing, receiver.url)
    receiver.planned = [500]
    receiver.reply = b"Traceback: db password=hunter2 at 10.0.0.7" * 20
    emit(allowing, clock)
    assert allowing.webhooks.deliver_due(clock.now()) == 0
    with allowing.read() as s:
        [delivery] = allowing.webhooks.list_deliveries(s, ADMIN_ACTOR, sub_id)
    assert delivery.last_status_code == 500
    assert delivery.last_error == "HTTP 500 Internal Server Error"
