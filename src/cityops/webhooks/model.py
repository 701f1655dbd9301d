"""Webhook rules without I/O: what a subscription and a delivery are, the URL and event-name
checks, the signed body, the retry backoff of a delivery and the circuit breaker of a receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import Any
from urllib.parse import urlsplit

from cityops.kernel.errors import ValidationFailed
from cityops.kernel.events import WIRE_NAME, Event, registered_events, wire_events
from cityops.kernel.text import code_problem

ALL_EVENTS = "*"
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
BREAKER_BASE = timedelta(seconds=60)
BREAKER_CAP = timedelta(hours=1)
_EVENT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"


class BreakerStatus(StrEnum):
    """A receiver's circuit: closed (sent to), open (its deliveries wait), half-open (one
    delivery probes whether it answers again)."""

    closed = "closed"
    open = "open"
    half_open = "half_open"


@dataclass(frozen=True)
class NewSubscription:
    url: str
    event_names: Sequence[str] = (ALL_EVENTS,)
    secret: str | None = None  # generated when not given
    description: str = ""


@dataclass(frozen=True)
class Breaker:
    """The circuit breaker of one receiver (subscription). `failures` counts the sends that failed
    in a row; at the threshold the circuit opens until `open_until`, a period that doubles with
    each opening in a row (`openings`); after it one probe is sent: success closes the circuit,
    failure opens it again for longer."""

    failures: int = 0
    openings: int = 0
    open_until: datetime | None = None

    def status(self, now: datetime) -> BreakerStatus:
        if self.open_until is None:
            return BreakerStatus.closed
        return BreakerStatus.open if now < self.open_until else BreakerStatus.half_open

    def after_success(self) -> Breaker:
        return Breaker()

    def after_failure(self, now: datetime, threshold: int) -> Breaker:
        failures = self.failures + 1
        if failures < threshold and self.open_until is None:
            return replace(self, failures=failures)
        openings = self.openings + 1
        return Breaker(failures=failures, openings=openings, open_until=now + open_period(openings))


def open_period(openings: int) -> timedelta:
    """How long a receiver stays open after its `openings`-th opening in a row: 60 s × 2^(n-1),
    at most 1 h."""
    exponent = max(openings - 1, 0)
    if exponent >= 6:  # 60 s × 2^6 > 1 h already; avoid huge integers
        return BREAKER_CAP
    return min(BREAKER_BASE * (1 << exponent), BREAKER_CAP)


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    url: str
    event_names: tuple[str, ...]
    description: str
    active: bool
    created_at: datetime
    created_by: str
    breaker: Breaker = Breaker()


@dataclass(frozen=True)
class CreatedSubscription:
    subscription: SubscriptionView
    secret: str  # shown once, at creation


@dataclass(frozen=True)
class DeliveryView:
    id: int
    subscription_id: int
    event_id: str
    event_name: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class DueDelivery:
    """A pending delivery whose time has come, with what sending it needs."""

    id: int
    event_id: str
    event_name: str
    payload: Any
    occurred_at: datetime
    attempts: int


@dataclass(frozen=True)
class Receiver:
    """An active subscription that has deliveries due, with its breaker."""

    id: int
    url: str
    secret: str
    breaker: Breaker


def backoff_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed try: 30 s × 2^(attempts-1), at most 1 h."""
    exponent = max(attempts - 1, 0)
    if exponent >= 7:  # 30 s × 2^7 > 1 h already; avoid huge integers
        return BACKOFF_CAP
    return min(BACKOFF_BASE * (1 << exponent), BACKOFF_CAP)


def sign(secret: str, body: bytes) -> str:
    """The value of X-Cityops-Signature: sha256=<hex HMAC-SHA256 of the raw body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def validate_url(url: str) -> str:
    """http(s) URLs with a host only; no credentials and no control characters in the URL."""
    url = url.strip()
    if (problem := code_problem(url)) is not None:
        raise ValidationFailed(f"a webhook URL {problem}", code="invalid_webhook_url")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError as exc:
        raise ValidationFailed(f"invalid webhook URL: {exc}", code="invalid_webhook_url") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed(
            "a webhook URL must be an absolute http:// or https:// URL with a host",
            code="invalid_webhook_url",
        )
    if parts.username or parts.password:
        raise ValidationFailed(
            "a webhook URL must not carry credentials; the signature authenticates the sender",
            code="invalid_webhook_url",
        )
    if len(url) > 2000:
        raise ValidationFailed(
            "a webhook URL is limited to 2000 characters", code="invalid_webhook_url"
        )
    return url


def validate_event_names(names: Sequence[str]) -> tuple[str, ...]:
    """Known events by their wire name ("case.closed": stable, what deliveries carry) or class
    name ("CaseClosed"), or "*" for every event."""
    cleaned = tuple(dict.fromkeys(n.strip() for n in names))
    if not cleaned:
        raise ValidationFailed("name at least one event, or '*'", code="no_events")
    if ALL_EVENTS in cleaned:
        return (ALL_EVENTS,)
    classes = registered_events()
    wires = {wire for wire, _version in wire_events()}
    unknown = [
        n
        for n in cleaned
        if not (_EVENT_NAME.match(n) and n in classes) and not (WIRE_NAME.match(n) and n in wires)
    ]
    if unknown:
        raise ValidationFailed(
            f"unknown event name(s): {', '.join(unknown)}",
            code="unknown_event",
            known=sorted(wires | set(classes)),
        )
    return cleaned


IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network
_NAT64 = IPv6Network("64:ff9b::/96")


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped ::ffff:a.b.c.d, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refused_address(address: IPAddress, allowed: Sequence[IPNetwork] = ()) -> str | None:
    """Why a webhook must not be sent to `address`, or None. Only public (global unicast)
    addresses are allowed, unless a network in `allowed` (CITYOPS_WEBHOOK_ALLOW_NETWORKS) holds
    the address: loopback, private, link-local (169.254.169.254, the cloud metadata service),
    shared, reserved and multicast addresses are refused, so a subscription cannot make the
    server reach its own network (server-side request forgery)."""
    if any(address in network for network in allowed):
        return None
    if isinstance(address, IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            reason = refused_address(embedded, allowed)
            return None if reason is None else f"{address} stands for {reason}"
    if address.is_loopback:
        kind = "loopback"
    elif address.is_link_local:
        kind = "link-local"
    elif address.is_multicast:
        kind = "multicast"
    elif address.is_private:
        kind = "private"
    elif not address.is_global:
        kind = "non-public"
    else:
        return None
    return f"{address} is a {kind} address"


def wants(event_names: Sequence[str], event: type[Event] | Event) -> bool:
    """Whether a subscription to `event_names` receives `event` (named by wire or class name)."""
    return ALL_EVENTS in event_names or event.wire_name in event_names or event.name in event_names


def render_body(event_name: str, event_id: str, occurred_at: datetime, data: Any) -> bytes:
    """The exact bytes POSTed (and signed)."""
    document = {
        "event": event_name,
        "event_id": event_id,
        "occurred_at": occurred_at.isoformat(),
        "data": data,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode()
