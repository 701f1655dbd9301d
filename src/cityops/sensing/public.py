"""What other packages may use of sensing (web, cli, demo and the layers above)."""

from __future__ import annotations

from cityops.sensing.catalog import DeviceType, shipped_types
from cityops.sensing.devices import DeviceAuth, DeviceRecord
from cityops.sensing.hj212_ingest import Hj212Sink
from cityops.sensing.ingest import DeviceDirectory, Ingestion, IngestResult
from cityops.sensing.model import DeviceStatus, MetricSpec, Reading
from cityops.sensing.payloads import ALL_REASONS, MAX_PAYLOAD_BYTES, Problem, Reason
from cityops.sensing.policy import DEVICE_MANAGERS, SENSING_VIEWERS
from cityops.sensing.series import DeadLetter, PointRow, StoredDeadLetter
from cityops.sensing.service import NewDevice, RegisteredDevice, SensingService
from cityops.sensing.writer import TelemetryWriter, WriterBusy

__all__ = [
    "ALL_REASONS",
    "DEVICE_MANAGERS",
    "MAX_PAYLOAD_BYTES",
    "SENSING_VIEWERS",
    "DeadLetter",
    "DeviceAuth",
    "DeviceDirectory",
    "DeviceRecord",
    "DeviceStatus",
    "DeviceType",
    "Hj212Sink",
    "IngestResult",
    "Ingestion",
    "MetricSpec",
    "NewDevice",
    "PointRow",
    "Problem",
    "Reading",
    "Reason",
    "RegisteredDevice",
    "SensingService",
    "StoredDeadLetter",
    "TelemetryWriter",
    "WriterBusy",
    "shipped_types",
]
