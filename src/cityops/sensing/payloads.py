"""Telemetry payloads, without I/O: read one device's message and judge each value.

The JSON a device sends (HTTP body or MQTT payload) is one message or a list of them (a batch):
`{"ts": <ms since 1970, or ISO 8601 with a zone>, "values": {"pm25": 35, "pm10": 60}}`. Without
`ts` the time of receipt is taken. What cannot be used is never silently dropped: each problem is
a `Problem` with a stable reason code that the store keeps as a dead letter.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cityops.sensing.model import MetricSpec, Reading

MAX_PAYLOAD_BYTES = 64 * 1024
MAX_MESSAGES = 1000  # per payload (a batch)
FUTURE_SKEW = timedelta(minutes=5)
MAX_AGE = timedelta(days=30)


class Reason:
    """The dead-letter reason codes (stable: the console and the counters use them)."""

    too_large = "payload_too_large"
    malformed = "malformed_json"
    bad_shape = "bad_shape"
    unknown_device = "unknown_device"
    bad_credentials = "bad_credentials"
    device_retired = "device_retired"
    unknown_metric = "unknown_metric"
    not_a_number = "not_a_number"
    out_of_range = "out_of_range"
    ts_in_future = "ts_in_future"
    ts_too_old = "ts_too_old"
    bad_ts = "bad_timestamp"
    rate_limited = "rate_limited"
    bad_frame = "bad_frame"  # HJ 212
    bad_topic = "bad_topic"  # MQTT: the topic names no device


ALL_REASONS = tuple(
    value
    for key, value in vars(Reason).items()
    if not key.startswith("_") and isinstance(value, str)
)


@dataclass(frozen=True)
class Problem:
    reason: str
    detail: str


@dataclass(frozen=True)
class Judged:
    """What a payload gave: the readings to store and the problems to keep."""

    readings: list[Reading]
    problems: list[Problem]


def parse_payload(raw: bytes) -> list[Mapping[str, Any]] | Problem:
    """The messages of a payload, or why there are none."""
    if len(raw) > MAX_PAYLOAD_BYTES:
        return Problem(Reason.too_large, f"{len(raw)} bytes, at most {MAX_PAYLOAD_BYTES}")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return Problem(Reason.malformed, str(exc)[:200])
    messages = data if isinstance(data, list) else [data]
    if not messages or len(messages) > MAX_MESSAGES:
        return Problem(Reason.bad_shape, f"a batch holds 1 to {MAX_MESSAGES} messages")
    for message in messages:
        if not isinstance(message, dict) or not isinstance(message.get("values"), dict):
            return Problem(
                Reason.bad_shape, 'each message is {"ts": …, "values": {metric: number}}'
            )
    return messages


def read_ts(value: Any, received: datetime) -> datetime | Problem:
    """`ts`: milliseconds since 1970 (a number) or ISO 8601 with a zone; absent: received."""
    if value is None:
        return received
    try:
        if isinstance(value, bool):
            raise ValueError("a boolean is no time")
        if isinstance(value, int | float):
            if not math.isfinite(value):
                raise ValueError("not finite")
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        if isinstance(value, str):
            ts = datetime.fromisoformat(value)
            if ts.tzinfo is None:
                raise ValueError("an ISO time needs its zone (Z or +08:00)")
            return ts.astimezone(UTC)
    except (ValueError, OverflowError, OSError) as exc:
        return Problem(Reason.bad_ts, f"ts {str(value)[:40]}: {exc}")
    return Problem(Reason.bad_ts, "ts is milliseconds since 1970 or an ISO 8601 time")


def judge(
    device_code: str,
    messages: Sequence[Mapping[str, Any]],
    specs: Mapping[str, MetricSpec],
    received: datetime,
    *,
    max_age: timedelta = MAX_AGE,
) -> Judged:
    """Each value of each message against the device type's metric specs and the clock."""
    readings: list[Reading] = []
    problems: list[Problem] = []
    for message in messages:
        ts = read_ts(message.get("ts"), received)
        if isinstance(ts, Problem):
            problems.append(ts)
            continue
        if ts > received + FUTURE_SKEW:
            problems.append(Problem(Reason.ts_in_future, f"ts {ts.isoformat()} is in the future"))
            continue
        if ts < received - max_age:
            problems.append(Problem(Reason.ts_too_old, f"ts {ts.isoformat()} is too old"))
            continue
        for metric, value in message["values"].items():
            spec = specs.get(metric)
            if spec is None:
                problems.append(
                    Problem(Reason.unknown_metric, f"{str(metric)[:40]} is not measured")
                )
                continue
            number = _number(value)
            if number is None:
                problems.append(Problem(Reason.not_a_number, f"{metric}: {str(value)[:40]}"))
                continue
            if not spec.in_range(number):
                problems.append(
                    Problem(
                        Reason.out_of_range,
                        f"{metric}={number} outside {spec.min_value}..{spec.max_value}",
                    )
                )
                continue
            readings.append(Reading(device_code, metric, ts, round(number, spec.precision)))
    return Judged(readings, problems)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None
