"""The MQTT ingest worker: a shared subscription at QoS 1, acknowledged only after COMMIT.

One worker is one MQTT v5 client (paho-mqtt) with a persistent session (clean start off, a
session expiry) on `$share/{group}/{prefix}/devices/+/telemetry`. The broker hands each message
to one worker of the group; several workers, in several processes or on several hosts, share the
load. Acknowledgement is manual: a message's PUBACK is sent only once `IngestResult.committed`
is done (its points, or its dead letter, are committed), so a worker killed before COMMIT leaves
the message unacknowledged in its session and the broker delivers it again when the worker is
back; the points' primary key stores it once (at least once + idempotent = exactly once stored).

Acknowledgements go out in the order the messages arrived (MQTT 3.1.1 §4.6 asks it; Mosquitto
accepts any order, other brokers may not): the writer commits in submission order, and the
acker sends the head of the line only. An ack is only ever sent on the connection its message
came on: after a reconnect the broker sends unacknowledged messages again under their ids, and
an id acknowledged on a later connection could name another message by then.

Nothing in memory grows without bound: the client's Receive Maximum caps how many unacknowledged
messages the broker sends (`receive_maximum`), the hand-off queue between paho's network thread
and the ingest thread holds at most twice that, and the writer's queue is bounded and blocks
`submit` (backpressure: the ingest thread waits, the window fills, the broker keeps the rest in
the session's queue — `max_queued_messages` in mosquitto.conf must be sized for the longest
pause, see docs/sensing/ingestion.md). paho's network thread never blocks on the database, so
keep-alives and acknowledgements flow while the writer waits. A lost connection is retried by
paho with exponential backoff (`reconnect_delay_set`); each state change is logged.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from cityops.sensing.ingest import Ingestion
from cityops.sensing.mqtt.topics import DEFAULT_PREFIX, device_code, shared_filter
from cityops.sensing.payloads import Reason
from cityops.sensing.series import DeadLetter
from cityops.sensing.writer import WriterBusy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False


def parse_broker_url(url: str) -> Broker:
    """`mqtt://[user[:password]@]host[:port]` (1883), `mqtts://…` (TLS, 8883)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise ValueError(f"an MQTT broker URL is mqtt://host:port or mqtts://host:port: {url!r}")
    tls = parts.scheme == "mqtts"
    return Broker(
        host=parts.hostname,
        port=parts.port or (8883 if tls else 1883),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=tls,
    )


@dataclass(frozen=True)
class WorkerConfig:
    broker: Broker
    client_id: str  # stable across restarts: it names the persistent session
    group: str = "cityops-ingest"
    prefix: str = DEFAULT_PREFIX
    session_expiry: int = 7 * 86400  # seconds the broker keeps the session of a worker away
    receive_maximum: int = 10_000  # unacknowledged messages the broker may send at once
    keepalive: int = 30
    reconnect_min: int = 1
    reconnect_max: int = 30


@dataclass
class WorkerCounters:
    received: int = 0
    acked: int = 0
    bad_topic: int = 0
    failed: int = 0  # not committed (a writer error): left unacknowledged, sent again later
    dropped_acks: int = 0  # their connection was gone: the broker sends the message again
    connects: int = 0


@dataclass(eq=False)
class _Delivery:
    generation: int
    mid: int
    qos: int
    topic: str
    payload: bytes


@dataclass(eq=False)
class _Pending:
    generation: int
    mid: int
    qos: int
    done: Future[None] = field(repr=False)


class MqttIngestWorker:
    """Receives telemetry on the shared subscription and feeds `ingestion`; `start`, `stop`."""

    def __init__(
        self, ingestion: Ingestion, config: WorkerConfig, now: Callable[[], datetime]
    ) -> None:
        self._ingestion = ingestion
        self._config = config
        self._now = now
        self.counters = WorkerCounters()
        self.connected = threading.Event()
        self._window = max(1, config.receive_maximum)
        self._inbox: queue.Queue[_Delivery | None] = queue.Queue(maxsize=2 * self._window)
        self._pending: deque[_Pending] = deque()
        self._has_pending = threading.Event()  # set when the line of pending acks was empty
        self._generation = 0
        self._ack_lock = threading.Lock()  # a generation's acks vs. its connection's end
        self._stop = threading.Event()
        self._acker_stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._filter = shared_filter(config.group, config.prefix)
        self.client = self._make_client()

    def _make_client(self) -> paho.Client:
        config = self._config
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=config.client_id,
            protocol=MQTTProtocolVersion.MQTTv5,
            manual_ack=True,
        )
        if config.broker.username is not None:
            client.username_pw_set(config.broker.username, config.broker.password)
        if config.broker.tls:
            client.tls_set()
        client.reconnect_delay_set(config.reconnect_min, config.reconnect_max)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        return client

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        config = self._config
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = config.session_expiry
        properties.ReceiveMaximum = min(self._window, 65_535)
        self._stop.clear()
        self._acker_stop.clear()
        for name, target in (("mqtt-ingest", self._ingest_loop), ("mqtt-ack", self._ack_loop)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info(
            "mqtt ingest %s: connecting to %s:%d, subscription %s",
            config.client_id,
            config.broker.host,
            config.broker.port,
            self._filter,
        )
        self.client.connect_async(
            config.broker.host,
            config.broker.port,
            keepalive=config.keepalive,
            clean_start=False,
            properties=properties,
        )
        self.client.loop_start()

    def stop(self, drain: float = 5.0) -> None:
        """Stop taking messages, let those taken commit and be acknowledged (up to `drain`
        seconds), then disconnect; what stays unacknowledged comes again to the session."""
        self._stop.set()
        with contextlib.suppress(queue.Full):
            self._inbox.put(None, timeout=drain)
        ingest, acker = self._threads if self._threads else (None, None)
        if ingest is not None:
            ingest.join(timeout=drain)
        deadline = time.monotonic() + drain
        while self._pending and time.monotonic() < deadline:
            time.sleep(0.02)
        self._acker_stop.set()
        self._has_pending.set()
        if acker is not None:
            acker.join(timeout=2)
        self.client.disconnect()
        self.client.loop_stop()
        self._threads.clear()

    # -- paho's network thread: never blocks on the database ---------------------------------
    def _on_connect(
        self,
        client: paho.Client,
        userdata: Any,
        flags: paho.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            log.warning("mqtt ingest %s: connection refused: %s", self._config.client_id, reason)
            return
        with self._ack_lock:
            self._generation += 1
        self.counters.connects += 1
        log.info(
            "mqtt ingest %s: connected (session %s)",
            self._config.client_id,
            "resumed" if flags.session_present else "new",
        )
        client.subscribe(self._filter, options=SubscribeOptions(qos=1))

    def _on_subscribe(
        self,
        client: paho.Client,
        userdata: Any,
        mid: int,
        reasons: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        if any(r.is_failure for r in reasons):
            log.error("mqtt ingest %s: subscription refused: %s", self._config.client_id, reasons)
            return
        log.info("mqtt ingest %s: subscribed to %s", self._config.client_id, self._filter)
        self.connected.set()

    def _on_disconnect(
        self,
        client: paho.Client,
        userdata: Any,
        flags: paho.DisconnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        with self._ack_lock:
            self._generation += 1  # acks still due belong to the connection now gone
        self.connected.clear()
        if not self._stop.is_set():
            log.warning(
                "mqtt ingest %s: disconnected (%s), reconnecting with backoff",
                self._config.client_id,
                reason,
            )

    def _on_message(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        self.counters.received += 1
        try:
            topic = message.topic
        except UnicodeDecodeError:
            topic = ""  # not UTF-8: names no device
        # at most receive_maximum unacknowledged messages per connection: room for two windows
        self._inbox.put(
            _Delivery(self._generation, message.mid, message.qos, topic, bytes(message.payload))
        )

    # -- the ingest thread: judge and hand to the writer (blocks while the writer is full) ---
    def _ingest_loop(self) -> None:
        while True:
            delivery = self._inbox.get()
            if delivery is None:
                return
            try:
                done = self._ingest(delivery)
            except Exception as exc:  # never lose the thread; the message stays unacknowledged
                log.exception("mqtt ingest %s: message not ingested", self._config.client_id)
                done = Future()
                done.set_exception(exc)
            if delivery.qos == 0:
                continue
            while len(self._pending) >= 4 * self._window:  # the acker is behind: wait for it
                time.sleep(0.01)
            was_empty = not self._pending
            self._pending.append(_Pending(delivery.generation, delivery.mid, delivery.qos, done))
            if was_empty:
                self._has_pending.set()

    def _ingest(self, delivery: _Delivery) -> Future[None]:
        topic = delivery.topic
        code = device_code(topic, self._config.prefix)
        if code is None:
            self.counters.bad_topic += 1
            letter = DeadLetter(
                received_at=self._now(),
                channel="mqtt",
                reason=Reason.bad_topic,
                detail=f"not {self._config.prefix}/devices/{{code}}/telemetry",
                source=topic[:200],
                payload=delivery.payload[:4096].decode("utf-8", "replace"),
            )
            return self._ingestion.writer.submit([], [], [letter], timeout=None)
        while True:
            try:
                return self._ingestion.from_mqtt(code, delivery.payload, topic).committed
            except WriterBusy:
                if self._stop.is_set():
                    raise
                log.warning("mqtt ingest %s: writer busy, waiting", self._config.client_id)

    # -- the acker: acknowledge committed messages, in arrival order -----------------------
    def _ack_loop(self) -> None:
        """Wait on the oldest pending message's commit, then acknowledge it and every one
        after it already committed (one wait per batch the writer commits, not per message)."""
        pending = self._pending
        while True:
            if not pending:
                if self._acker_stop.is_set():
                    return
                self._has_pending.wait(0.5)
                self._has_pending.clear()
                continue
            head = pending[0]
            with contextlib.suppress(FutureTimeout):
                head.done.exception(timeout=0.5)  # waits for the commit; never raises it
            if not head.done.done():
                continue
            ready: list[_Pending] = []
            while pending and pending[0].done.done():
                ready.append(pending.popleft())
            self._acknowledge(ready)

    def _acknowledge(self, ready: list[_Pending]) -> None:
        with self._ack_lock:
            for pending in ready:
                if pending.done.exception() is not None:
                    self.counters.failed += 1
                elif pending.generation != self._generation:
                    self.counters.dropped_acks += 1
                else:
                    self.client.ack(pending.mid, pending.qos)
                    self.counters.acked += 1
