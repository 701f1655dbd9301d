"""What other code may use of the MQTT sub-package (the CLI, the benchmark, tests)."""

from __future__ import annotations

from cityops.sensing.mqtt.auth import acl_file, device_password, password_file, password_line
from cityops.sensing.mqtt.topics import (
    DEFAULT_PREFIX,
    device_code,
    shared_filter,
    telemetry_filter,
    telemetry_topic,
)
from cityops.sensing.mqtt.worker import (
    Broker,
    MqttIngestWorker,
    WorkerConfig,
    WorkerCounters,
    parse_broker_url,
)

__all__ = [
    "DEFAULT_PREFIX",
    "Broker",
    "MqttIngestWorker",
    "WorkerConfig",
    "WorkerCounters",
    "acl_file",
    "device_code",
    "device_password",
    "parse_broker_url",
    "password_file",
    "password_line",
    "shared_filter",
    "telemetry_filter",
    "telemetry_topic",
]
