"""The MQTT topic scheme: the device code read from the topic, malformed topics refused."""

from __future__ import annotations

import pytest

from cityops.sensing.mqtt.topics import device_code, shared_filter, telemetry_topic


def test_the_code_comes_from_the_topic() -> None:
    assert device_code(telemetry_topic("AQ-001")) == "AQ-001"
    assert device_code("acme/v2/devices/WL-7/telemetry", "acme/v2") == "WL-7"


@pytest.mark.parametrize(
    "topic",
    [
        "cityops/v1/devices//telemetry",
        "cityops/v1/devices/telemetry",
        "cityops/v1/devices/AQ-1/status",
        "cityops/v2/devices/AQ-1/telemetry",
        "cityops/v1/devices/a/b/telemetry",
        "cityops/v1/devices/" + "x" * 65 + "/telemetry",
        "cityops/v1/devices/AQ\u200b1/telemetry",
    ],
)
def test_a_malformed_topic_names_no_device(topic: str) -> None:
    assert device_code(topic) is None


def test_the_shared_subscription() -> None:
    assert shared_filter("cityops-ingest") == "$share/cityops-ingest/cityops/v1/devices/+/telemetry"
    with pytest.raises(ValueError, match="share group"):
        shared_filter("a/b")
