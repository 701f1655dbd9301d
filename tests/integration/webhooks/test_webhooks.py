"""Outgoing webhooks: committed events reach a real HTTP receiver, signed, filtered by event name,
retried with backoff until accepted, enqueued once however often the relay repeats."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from ipaddress import IPv4Network
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from webhook_receivers import Receiver, answering_receiver

from cityops.app import Platform
from cityops.infra.settings import Settings
from cityops.kernel.clock import FixedClock
from cityops.kernel.events import Event
from cityops.webhooks.model import backoff_delay
from cityops.webhooks.store import webhook_deliveries

SECRET = "s3cret-for-the-receiver-0123456789"
LOOPBACK = (IPv4Network("127.0.0.0/8"),)


@dataclass(frozen=True, kw_only=True)
class ParcelArrived(Event, wire="test.parcel_arrived"):
    parcel: str


@dataclass(frozen=True, kw_only=True)
class ParcelLost(Event, wire="test.parcel_lost"):
    parcel: str


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The receivers here listen on 127.0.0.1, which webhooks reach only when allowed."""
    return settings.model_copy(update={"webhook_allow_networks": LOOPBACK})


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with answering_receiver(SECRET) as state:
        yield state


ADMIN = {"X-Test-Role": "admin"}


def subscribe(api: TestClient, url: str, events: list[str]) -> dict[str, Any]:
    r = api.post(
        "/api/v1/webhooks",
        json={"url": url, "event_names": events, "secret": SECRET},
        headers=ADMIN,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def emit(platform: Platform, *events: Event) -> None:
    with platform.uow() as uow:
        for e in events:
            uow.emit(e)
    platform.relay.drain()


def test_failed_delivery_is_retried_after_backoff_and_signed(
    platform: Platform, api: TestClient, receiver: Receiver, clock: FixedClock
) -> None:
    sub = subscribe(api, receiver.url + "/hook", ["*"])
    assert sub["secret"] == SECRET
    receiver.planned = [500]
    event = ParcelArrived(occurred_at=clock.now(), parcel="P-1")
    emit(platform, event)

    assert platform.webhooks.deliver_due(clock.now()) == 0
    assert len(receiver.got) == 1
    first = api.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=ADMIN).json()
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in first] == [
        ("pending", 1, 500)
    ]

    # not due yet: nothing is sent
    clock.advance(timedelta(seconds=29))
    assert platform.webhooks.deliver_due(clock.now()) == 0
    assert len(receiver.got) == 1

    clock.advance(timedelta(seconds=2))
    assert platform.webhooks.deliver_due(clock.now()) == 1
    assert len(receiver.got) == 2
    assert all(g.signature_ok for g in receiver.got)
    last = receiver.got[-1]
    assert last.path == "/hook"
    assert last.event == "test.parcel_arrived"  # the wire name, whatever the class is called
    assert last.body["event"] == "test.parcel_arrived"
    assert last.body["event_id"] == event.event_id
    assert last.body["data"]["parcel"] == "P-1"
    assert last.delivery == receiver.got[0].delivery  # the same delivery, retried
    done = api.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=ADMIN).json()
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in done] == [
        ("delivered", 2, 200)
    ]
    assert platform.webhooks.deliver_due(clock.now() + timedelta(hours=2)) == 0
    assert len(receiver.got) == 2


def test_subscription_filtered_to_one_event_gets_only_that_one(
    platform: Platform, api: TestClient, receiver: Receiver, clock: FixedClock
) -> None:
    lost_only = subscribe(api, receiver.url + "/lost", ["ParcelLost"])
    everything = subscribe(api, receiver.url + "/all", ["*"])
    emit(
        platform,
        ParcelArrived(occurred_at=clock.now(), parcel="A"),
        ParcelLost(occurred_at=clock.now(), parcel="B"),
    )
    assert platform.webhooks.deliver_due(clock.now()) == 3
    by_path = sorted((g.path, g.body["data"]["parcel"]) for g in receiver.got)
    assert by_path == [("/all", "A"), ("/all", "B"), ("/lost", "B")]
    counts = {
        s["id"]: len(api.get(f"/api/v1/webhooks/{s['id']}/deliveries", headers=ADMIN).json())
        for s in (lost_only, everything)
    }
    assert counts == {lost_only["id"]: 1, everything["id"]: 2}


def test_a_subscription_may_name_the_event_by_its_wire_name(
    platform: Platform, api: TestClient, receiver: Receiver, clock: FixedClock
) -> None:
    subscribe(api, receiver.url + "/lost", ["test.parcel_lost"])
    emit(
        platform,
        ParcelArrived(occurred_at=clock.now(), parcel="A"),
        ParcelLost(occurred_at=clock.now(), parcel="B"),
    )
    assert platform.webhooks.deliver_due(clock.now()) == 1
    assert [(g.event, g.body["data"]["parcel"]) for g in receiver.got] == [
        ("test.parcel_lost", "B")
    ]


def test_event_is_enqueued_once_even_if_the_relay_repeats(
    platform: Platform, api: TestClient, receiver: Receiver, clock: FixedClock
) -> None:
    subscribe(api, receiver.url, ["ParcelArrived"])
    event = ParcelArrived(occurred_at=clock.now(), parcel="dup")
    assert platform.webhooks.enqueue(event) == 1
    assert platform.webhooks.enqueue(event) == 1  # matched again, but the row exists already
    with platform.read() as s:
        rows = s.execute(select(func.count()).select_from(webhook_deliveries)).scalar_one()
    assert rows == 1
    assert platform.webhooks.deliver_due(clock.now()) == 1
    assert len(receiver.got) == 1


def test_delivery_gives_up_after_max_attempts(
    platform: Platform, api: TestClient, receiver: Receiver, clock: FixedClock
) -> None:
    sub = subscribe(api, receiver.url, ["*"])
    attempts = platform.settings.webhook_max_attempts
    receiver.planned = [503] * (attempts + 5)
    emit(platform, ParcelLost(occurred_at=clock.now(), parcel="gone"))
    for _ in range(attempts + 2):
        platform.webhooks.deliver_due(clock.now())
        clock.advance(timedelta(hours=1, seconds=1))
    assert len(receiver.got) == attempts
    [delivery] = api.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=ADMIN).json()
    assert delivery["status"] == "failed"
    assert delivery["attempts"] == attempts
    assert "503" in delivery["last_error"]


def test_unreachable_receiver_is_retried(
    platform: Platform, api: TestClient, clock: FixedClock
) -> None:
    sub = subscribe(api, "http://127.0.0.1:9/nothing-listens-here", ["*"])
    emit(platform, ParcelLost(occurred_at=clock.now(), parcel="x"))
    assert platform.webhooks.deliver_due(clock.now()) == 0
    [delivery] = api.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=ADMIN).json()
    assert delivery["status"] == "pending"
    assert delivery["last_status_code"] is None
    assert delivery["last_error"]


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600), (40, 3600)],
)
def test_backoff_doubles_from_30_seconds_up_to_an_hour(attempts: int, seconds: int) -> None:
    assert backoff_delay(attempts) == timedelta(seconds=seconds)


def test_deleted_subscription_receives_nothing(
    platform: Platform, api: TestClient, receiver: Receiver, clock: FixedClock
) -> None:
    sub = subscribe(api, receiver.url, ["*"])
    emit(platform, ParcelLost(occurred_at=clock.now(), parcel="before"))
    assert api.delete(f"/api/v1/webhooks/{sub['id']}", headers=ADMIN).status_code == 204
    emit(platform, ParcelLost(occurred_at=clock.now(), parcel="after"))
    assert platform.webhooks.deliver_due(clock.now()) == 0
    assert receiver.got == []
    assert api.get("/api/v1/webhooks", headers=ADMIN).json() == []
    assert api.delete(f"/api/v1/webhooks/{sub['id']}", headers=ADMIN).status_code == 404


def test_list_does_not_reveal_secrets(api: TestClient, receiver: Receiver) -> None:
    sub = subscribe(api, receiver.url, ["ParcelLost", "ParcelArrived"])
    listed = api.get("/api/v1/webhooks", headers=ADMIN).json()
    assert [(w["id"], w["event_names"]) for w in listed] == [
        (sub["id"], ["ParcelLost", "ParcelArrived"])
    ]
    assert "secret" not in listed[0]


def test_generated_secret_is_returned_once(api: TestClient) -> None:
    r = api.post("/api/v1/webhooks", json={"url": "https://example.org/in"}, headers=ADMIN)
    assert r.status_code == 201
    assert len(r.json()["secret"]) >= 32
    assert r.json()["event_names"] == ["*"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "ftp://example.org/x"}, "invalid_webhook_url"),
        ({"url": "javascript:alert(1)"}, "invalid_webhook_url"),
        ({"url": "example.org/no-scheme"}, "invalid_webhook_url"),
        ({"url": "http://user:pw@example.org/"}, "invalid_webhook_url"),
        ({"url": "http://example.org:99999/"}, "invalid_webhook_url"),
        ({"url": "https://example.org/", "event_names": ["NoSuchEvent"]}, "unknown_event"),
        ({"url": "https://example.org/", "event_names": ["test.no_such"]}, "unknown_event"),
        ({"url": "https://example.org/", "event_names": ["test.Parcel_lost"]}, "unknown_event"),
        ({"url": "https://example.org/", "event_names": []}, "no_events"),
        ({"url": "https://example.org/", "secret": "short"}, "invalid_request"),
        ({"event_names": ["*"]}, "invalid_request"),
    ],
)
def test_bad_subscription_is_a_422_naming_the_problem(
    api: TestClient, body: dict[str, Any], code: str
) -> None:
    r = api.post("/api/v1/webhooks", json=body, headers=ADMIN)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == code
    assert api.get("/api/v1/webhooks", headers=ADMIN).json() == []


@pytest.mark.parametrize("role", ["dispatcher", "leader"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/webhooks"),
        ("GET", "/api/v1/webhooks"),
        ("DELETE", "/api/v1/webhooks/1"),
        ("GET", "/api/v1/webhooks/1/deliveries"),
    ],
)
def test_only_admins_manage_webhooks(api: TestClient, role: str, method: str, path: str) -> None:
    body = {"url": "https://example.org/in"} if method == "POST" else None
    r = api.request(method, path, json=body, headers={"X-Test-Role": role})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "admin_only"
    anonymous = api.request(method, path, json=body)
    assert anonymous.status_code == 401


def test_unknown_webhook_is_404(api: TestClient) -> None:
    r = api.get("/api/v1/webhooks/999/deliveries", headers=ADMIN)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "webhook_not_found"


def test_a_misspelled_field_is_refused_not_read_as_every_event(api: TestClient) -> None:
    r = api.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "event_name": ["CaseClosed"]},
        headers=ADMIN,
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_request"
    assert "event_name" in error["message"]
    assert api.get("/api/v1/webhooks", headers=ADMIN).json() == []
