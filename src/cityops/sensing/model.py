"""The words of sensing, without I/O: a reading, a metric spec, a device type and a device.

A reading is one value of one metric of one device at one instant (UTC). Everything that moves
telemetry — the HTTP endpoint, the MQTT workers, the HJ 212 server, the simulator, the rules and
the anomaly detectors — speaks in `Reading`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Reading:
    """One data point: `device_code` (the device's code, e.g. an HJ 212 MN), `metric` (a key of
    the device type's metric specs, e.g. `pm25`), `ts` (timezone-aware, UTC) and `value`."""

    device_code: str
    metric: str
    ts: datetime
    value: float


@dataclass(frozen=True)
class MetricSpec:
    """What a device type measures: key, names, unit, the plausible range (a value outside it is
    refused as out of range), decimals kept, the expected reporting interval and, where one
    exists, the Smart Data Models attribute (`AirQualityObserved.pm25`)."""

    key: str
    name_zh: str
    name_en: str
    unit: str = ""
    min_value: float | None = None
    max_value: float | None = None
    precision: int = 2
    interval: timedelta = timedelta(minutes=1)
    sdm: str = ""

    def in_range(self, value: float) -> bool:
        if self.min_value is not None and value < self.min_value:
            return False
        return self.max_value is None or value <= self.max_value


class DeviceStatus(StrEnum):
    """A device's registration state; online/offline is judged from its last data, not stored."""

    active = "active"
    maintenance = "maintenance"  # alarms suppressed while it is serviced
    retired = "retired"
