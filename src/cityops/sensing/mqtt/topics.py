"""MQTT topic scheme of device telemetry, without I/O.

A device publishes to `{prefix}/devices/{code}/telemetry` (prefix `cityops/v1` by default); the
device code is the topic's fourth-from-last level. The ingest workers share one subscription,
`$share/{group}/{prefix}/devices/+/telemetry`, so the broker hands each message to one worker.
A topic that matches the filter but names no usable code (empty, over 64 characters, control
characters) is malformed: its message is kept as a dead letter, never stored.
"""

from __future__ import annotations

from cityops.kernel.text import code_problem

DEFAULT_PREFIX = "cityops/v1"
MAX_CODE = 64


def telemetry_topic(code: str, prefix: str = DEFAULT_PREFIX) -> str:
    """Where device `code` publishes its telemetry."""
    return f"{prefix}/devices/{code}/telemetry"


def telemetry_filter(prefix: str = DEFAULT_PREFIX) -> str:
    """The filter matching every device's telemetry topic."""
    return f"{prefix}/devices/+/telemetry"


def shared_filter(group: str, prefix: str = DEFAULT_PREFIX) -> str:
    """The shared subscription (MQTT v5) the ingest workers of `group` split the load on."""
    if not group or any(c in group for c in "/+#"):
        raise ValueError(f"a share group name holds no '/', '+' or '#': {group!r}")
    return f"$share/{group}/{telemetry_filter(prefix)}"


def device_code(topic: str, prefix: str = DEFAULT_PREFIX) -> str | None:
    """The device code a telemetry topic names, or None when the topic is malformed."""
    head = f"{prefix}/devices/"
    tail = "/telemetry"
    if not topic.startswith(head) or not topic.endswith(tail):
        return None
    code = topic[len(head) : len(topic) - len(tail)]
    if not code or len(code) > MAX_CODE or "/" in code or code_problem(code) is not None:
        return None
    return code
