"""Ingestion, shared by every channel: find the device, judge the payload, hand it to the writer.

HTTP carries a device token (the device is the token's); MQTT names the device in the topic
(`cityops/v1/devices/{code}/telemetry`: the broker authenticates the client and its ACL lets a
client publish only under its own code); HJ 212 names it in the frame (MN, with its password).
Devices and types are read through small caches (`DeviceDirectory`): a device code seen once is
not read again for `ttl` seconds, an unknown code is remembered as unknown for as long, so a
flood of made-up codes costs one query per code a minute, not one per message. A device
sending faster than `per_device_per_minute` messages is refused (`rate_limited`; one dead letter
a minute per device counts the refusals) without slowing the others.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from cityops.kernel.rate_limit import TokenBucket
from cityops.sensing import devices as device_rows
from cityops.sensing.catalog import DeviceType
from cityops.sensing.devices import DeviceAuth
from cityops.sensing.model import DeviceStatus, MetricSpec, Reading
from cityops.sensing.payloads import Problem, Reason, judge, parse_payload
from cityops.sensing.series import DeadLetter, PointRow
from cityops.sensing.writer import TelemetryWriter


class DeviceDirectory:
    """Cached device lookups by code and by token hash; `forget` after a change. An entry lives
    between ¾ and all of `ttl`, at random: devices first seen together (a worker's start, a
    gateway's burst) do not all expire at once and stall ingestion while they are read again
    one by one."""

    def __init__(self, reads: sessionmaker[Session], *, ttl: float = 60.0) -> None:
        self._reads = reads
        self._ttl = ttl
        # code or token hash → (when the entry expires, the device or None)
        self._by_code: dict[str, tuple[float, DeviceAuth | None]] = {}
        self._by_token: dict[str, tuple[float, DeviceAuth | None]] = {}
        self._types: dict[str, Mapping[str, MetricSpec]] = {}
        self._lock = threading.Lock()

    def by_code(self, code: str) -> DeviceAuth | None:
        now = time.monotonic()
        held = self._by_code.get(code)
        if held is not None and now < held[0]:
            return held[1]
        with self._reads() as session:
            found = device_rows.auth_by_code(session, [code]).get(code)
        with self._lock:
            if len(self._by_code) > 500_000:
                self._by_code.clear()
            self._by_code[code] = (self._expiry(now), found)
        return found

    def by_token(self, token: str) -> DeviceAuth | None:
        hashed = device_rows.token_hash(token)
        now = time.monotonic()
        held = self._by_token.get(hashed)
        if held is not None and now < held[0]:
            return held[1]
        with self._reads() as session:
            found = device_rows.auth_by_token(session, hashed)
        with self._lock:
            if len(self._by_token) > 500_000:
                self._by_token.clear()
            self._by_token[hashed] = (self._expiry(now), found)
        return found

    def _expiry(self, now: float) -> float:
        return now + self._ttl * (0.75 + 0.25 * random.random())  # a spread, not a secret

    def specs(self, type_code: str) -> Mapping[str, MetricSpec]:
        specs = self._types.get(type_code)
        if specs is None:
            with self._reads() as session:
                types = device_rows.load_types(session)
            with self._lock:
                self._types = {kind.code: kind.spec_map() for kind in types}
            specs = self._types.get(type_code, {})
        return specs

    def password_of(self, code: str) -> str | None:
        """The device's password hash (MQTT and HJ 212), read each time: rarely asked, never
        cached in clear."""
        with self._reads() as session:
            return device_rows.password_hash_of(session, code)

    def forget(self, code: str | None = None) -> None:
        with self._lock:
            if code is None:
                self._by_code.clear()
                self._types.clear()
            else:
                self._by_code.pop(code, None)
            self._by_token.clear()

    def set_types(self, types: Sequence[DeviceType]) -> None:
        with self._lock:
            self._types = {kind.code: kind.spec_map() for kind in types}


@dataclass(frozen=True)
class IngestResult:
    """What a payload gave: how many points were accepted (queued to be stored, stored once
    `committed` is done), and the problems kept as dead letters."""

    accepted: int
    problems: list[Problem]
    committed: Future[None]
    device_code: str = ""


class Ingestion:
    def __init__(
        self,
        directory: DeviceDirectory,
        writer: TelemetryWriter,
        now: Callable[[], datetime],
        *,
        per_device_per_minute: int = 600,
    ) -> None:
        self.directory = directory
        self.writer = writer
        self._now = now
        self._flood = TokenBucket(per_device_per_minute, self._seconds, max_keys=200_000)
        self._flood_noted: dict[str, float] = {}
        self.counters: dict[str, int] = {}
        self._counter_lock = threading.Lock()

    def _seconds(self) -> float:
        return self._now().timestamp()

    def now(self) -> datetime:
        return self._now()

    def count(self, reason: str, n: int = 1) -> None:
        self._count(reason, n)

    def _count(self, reason: str, n: int = 1) -> None:
        with self._counter_lock:
            self.counters[reason] = self.counters.get(reason, 0) + n

    def _refuse(
        self, channel: str, problem: Problem, raw: bytes, *, code: str = "", source: str = ""
    ) -> IngestResult:
        self._count(problem.reason)
        letter = DeadLetter(
            received_at=self._now(),
            channel=channel,
            reason=problem.reason,
            detail=problem.detail,
            device_code=code,
            source=source,
            payload=raw[:4096].decode("utf-8", "replace"),
        )
        done = self.writer.submit([], [], [letter])
        return IngestResult(0, [problem], done, code)

    def from_http(self, token: str, raw: bytes, source: str = "") -> IngestResult:
        device = self.directory.by_token(token) if token else None
        if device is None:
            return self._refuse(
                "http",
                Problem(Reason.bad_credentials, "no device has this token"),
                raw,
                source=source,
            )
        return self.take(device, "http", raw, source)

    def from_mqtt(self, code: str, raw: bytes, topic: str) -> IngestResult:
        device = self.directory.by_code(code)
        if device is None:
            return self._refuse(
                "mqtt",
                Problem(Reason.unknown_device, f"no device {code[:64]}"),
                raw,
                code=code,
                source=topic,
            )
        return self.take(device, "mqtt", raw, topic)

    def take(self, device: DeviceAuth, channel: str, raw: bytes, source: str) -> IngestResult:
        if device.status == DeviceStatus.retired:
            return self._refuse(
                channel,
                Problem(Reason.device_retired, f"{device.code} is retired"),
                raw,
                code=device.code,
                source=source,
            )
        if self._flood.take(device.code) > 0:
            return self._flooded(device.code, channel, source)
        messages = parse_payload(raw)
        if isinstance(messages, Problem):
            return self._refuse(channel, messages, raw, code=device.code, source=source)
        judged = judge(device.code, messages, self.directory.specs(device.type_code), self._now())
        return self.store(device, channel, judged.readings, judged.problems, raw, source)

    def store(
        self,
        device: DeviceAuth,
        channel: str,
        readings: Sequence[Reading],
        problems: Sequence[Problem],
        raw: bytes = b"",
        source: str = "",
    ) -> IngestResult:
        """Queue judged readings of one device (HJ 212 judges its own frames) with its problems."""
        received = self._now()
        letters = [
            DeadLetter(
                received_at=received,
                channel=channel,
                reason=p.reason,
                detail=p.detail,
                device_code=device.code,
                source=source,
                payload=raw[:4096].decode("utf-8", "replace"),
            )
            for p in problems
        ]
        for p in problems:
            self._count(p.reason)
        points = [
            PointRow(device.id, r.metric, int(r.ts.timestamp() * 1000), r.value) for r in readings
        ]
        self._count("accepted", len(points))
        done = self.writer.submit(points, [device.code] * len(points), letters)
        return IngestResult(len(points), list(problems), done, device.code)

    def _flooded(self, code: str, channel: str, source: str) -> IngestResult:
        self._count(Reason.rate_limited)
        now = self._seconds()
        last = self._flood_noted.get(code, 0.0)
        if now - last < 60:
            done: Future[None] = Future()
            done.set_result(None)
            return IngestResult(0, [Problem(Reason.rate_limited, code)], done, code)
        self._flood_noted[code] = now
        if len(self._flood_noted) > 100_000:
            self._flood_noted.clear()
        letter = DeadLetter(
            received_at=self._now(),
            channel=channel,
            reason=Reason.rate_limited,
            detail="more messages a minute than allowed; refusals in the next minute not kept",
            device_code=code,
            source=source,
        )
        done = self.writer.submit([], [], [letter])
        return IngestResult(0, [Problem(Reason.rate_limited, code)], done, code)
