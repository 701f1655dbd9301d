"""Sending: the due deliveries of each receiver go out on a lane of its own (a daemon thread),
so a receiver that hangs or fails holds up only its own deliveries, never another receiver's nor
the scheduler. A receiver has at most one lane at a time; a lane stops taking new deliveries when
its time budget is spent (each request is still bounded by the HTTP timeout) or when the
receiver's circuit breaker opens, and what it left waits for the next pass."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from sqlalchemy.orm import Session, sessionmaker

from cityops.kernel.clock import Clock
from cityops.webhooks import store
from cityops.webhooks.model import (
    Breaker,
    BreakerStatus,
    DueDelivery,
    IPNetwork,
    Receiver,
    backoff_delay,
    render_body,
    sign,
)
from cityops.webhooks.targets import TargetRefused, pin

log = logging.getLogger(__name__)

# The delivery log keeps a short line of what went wrong, never the receiver's reply body.
ERROR_CHARS = 200


@dataclass(frozen=True)
class DeliveryLimits:
    timeout_seconds: float  # each HTTP request
    max_attempts: int  # tries of one delivery before it fails for good
    breaker_threshold: int  # failures in a row that open a receiver's circuit
    lane_seconds: float  # after this a lane takes no new delivery
    lanes_at_once: int  # receivers sent to at the same time
    batch_size: int = 100  # deliveries a lane reads at once
    allow_networks: tuple[IPNetwork, ...] = ()  # non-public addresses that may be sent to


@dataclass
class Lane:
    """One receiver's sending in one pass, on a daemon thread of its own."""

    receiver: Receiver
    now: datetime
    delivered: int = 0
    done: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class _Outcome:
    status_code: int | None
    error: str | None


class WebhookSender:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        limits: DeliveryLimits,
        *,
        client_factory: Callable[[], httpx.Client] | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._limits = limits
        self._client_factory = client_factory or self._default_client
        self._lock = threading.Lock()
        self._lanes: dict[int, Lane] = {}
        self._closing = threading.Event()

    def _default_client(self) -> httpx.Client:
        return httpx.Client(timeout=self._limits.timeout_seconds, follow_redirects=False)

    def start_due(self, now: datetime) -> list[Lane]:
        """Start a lane for each receiver with deliveries due at `now`, its circuit not open and
        no lane of its own running (at most `lanes_at_once` lanes in all); returns them at once.
        The scheduled job calls this: it never waits for a receiver."""
        with self._sessions() as s:
            receivers = store.due_receivers(s, now)
            s.rollback()
        started: list[Lane] = []
        with self._lock:
            for receiver in receivers:
                if receiver.id in self._lanes or self._closing.is_set():
                    continue
                if len(self._lanes) >= self._limits.lanes_at_once:
                    break
                lane = Lane(receiver=receiver, now=now)
                self._lanes[receiver.id] = lane
                started.append(lane)
        for lane in started:
            threading.Thread(
                target=self._run_lane,
                args=(lane,),
                name=f"webhook-lane-{lane.receiver.id}",
                daemon=True,
            ).start()
        return started

    def deliver_due(self, now: datetime) -> int:
        """Start the lanes due at `now` and wait for them; how many deliveries succeeded."""
        lanes = self.start_due(now)
        for lane in lanes:
            lane.done.wait()
        return sum(lane.delivered for lane in lanes)

    def busy_receivers(self) -> list[int]:
        with self._lock:
            return sorted(self._lanes)

    def close(self, wait_seconds: float = 5.0) -> None:
        """Lanes take no new delivery; wait a little for those sending one."""
        self._closing.set()
        deadline = time.monotonic() + wait_seconds
        with self._lock:
            lanes = list(self._lanes.values())
        for lane in lanes:
            lane.done.wait(max(0.0, deadline - time.monotonic()))

    def _run_lane(self, lane: Lane) -> None:
        try:
            self._drain(lane)
        except Exception:
            log.exception("webhook lane of subscription %s failed", lane.receiver.id)
        finally:
            with self._lock:
                self._lanes.pop(lane.receiver.id, None)
            lane.done.set()

    def _drain(self, lane: Lane) -> None:
        receiver, now = lane.receiver, lane.now
        deadline = time.monotonic() + self._limits.lane_seconds
        with self._sessions() as s:
            due = store.due_deliveries(s, receiver.id, now, self._limits.batch_size)
            s.rollback()
        breaker = receiver.breaker
        with self._client_factory() as client:
            for index, delivery in enumerate(due):
                if self._closing.is_set() or (index and time.monotonic() >= deadline):
                    return  # the rest waits for the next pass (the first is always sent)
                outcome = self._post(client, receiver, delivery)
                breaker = self._record(receiver, delivery, outcome, breaker, now)
                if outcome.error is None:
                    lane.delivered += 1
                elif breaker.status(now) is BreakerStatus.open:
                    log.warning(
                        "webhook receiver %s failed %s times in a row: paused until %s",
                        receiver.id,
                        breaker.failures,
                        breaker.open_until,
                    )
                    return  # its other deliveries wait, unattempted, until the probe

    def _post(self, client: httpx.Client, receiver: Receiver, row: DueDelivery) -> _Outcome:
        body = render_body(row.event_name, row.event_id, row.occurred_at, row.payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "cityops-webhooks",
            "X-Cityops-Event": row.event_name,
            "X-Cityops-Delivery": str(row.id),
            "X-Cityops-Signature": sign(receiver.secret, body),
        }
        try:
            target = pin(receiver.url, self._limits.allow_networks)
        except TargetRefused as exc:
            return _Outcome(None, f"refused: {exc}"[:ERROR_CHARS])
        except (OSError, UnicodeError) as exc:
            return _Outcome(None, f"address not found: {exc}"[:ERROR_CHARS])
        headers["Host"] = target.host_header
        extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else {}
        try:
            # the body of the reply is never read: only its status line is kept
            with client.stream(
                "POST", target.url, content=body, headers=headers, extensions=extensions
            ) as response:
                status, reason = response.status_code, response.reason_phrase
        except httpx.HTTPError as exc:
            return _Outcome(None, f"{type(exc).__name__}: {exc}"[:ERROR_CHARS])
        if 200 <= status < 300:
            return _Outcome(status, None)
        return _Outcome(status, f"HTTP {status} {reason}"[:ERROR_CHARS])

    def _record(
        self,
        receiver: Receiver,
        row: DueDelivery,
        outcome: _Outcome,
        breaker: Breaker,
        now: datetime,
    ) -> Breaker:
        """Write the try's outcome and the receiver's breaker in one transaction."""
        attempts = row.attempts + 1
        if outcome.error is None:
            after = breaker.after_success()
        else:
            after = breaker.after_failure(now, self._limits.breaker_threshold)
        with self._sessions.begin() as s:
            if outcome.error is None:
                store.record_delivered(
                    s,
                    row.id,
                    attempts=attempts,
                    status_code=outcome.status_code,
                    at=self._clock.now(),
                )
            else:
                gives_up = attempts >= self._limits.max_attempts
                if gives_up:
                    log.warning("webhook delivery %s failed for good: %s", row.id, outcome.error)
                store.record_failed_attempt(
                    s,
                    row.id,
                    attempts=attempts,
                    status_code=outcome.status_code,
                    error=outcome.error,
                    retry_at=None if gives_up else now + backoff_delay(attempts),
                )
            if after != breaker:
                store.save_breaker(s, receiver.id, after)
        return after
