"""What other packages may use of sensing (web, cli, demo and the layers above)."""

from __future__ import annotations

from cityops.sensing.alarm_runner import AlarmRunner
from cityops.sensing.alarm_service import AlarmDetail, AlarmService
from cityops.sensing.alarm_store import AlarmFilter, AlarmLine, AlarmRecord
from cityops.sensing.alarm_tickets import CaseTicket
from cityops.sensing.alarms.public import BookSettings, CaseKind
from cityops.sensing.area_alarms import AreaAlarmChange, clear_area_alarm, raise_area_alarm
from cityops.sensing.area_reads import (
    ANY_METRIC,
    AreaBuckets,
    DeviceLatest,
    active_alarm_counts,
    bucket_aggregates,
    latest_per_device,
)
from cityops.sensing.catalog import DeviceType, shipped_types
from cityops.sensing.device_file import DeviceFileError, DeviceFileFormat, FileRow, RowError
from cityops.sensing.device_file import csv_chunks as device_csv_chunks
from cityops.sensing.device_file import read_rows as read_device_rows
from cityops.sensing.device_file import xlsx_bytes as device_xlsx_bytes
from cityops.sensing.device_import import DeviceImportReport, DeviceTransfer
from cityops.sensing.devices import DeviceAuth, DeviceRecord
from cityops.sensing.events import (
    AlarmAcknowledged,
    AlarmCaseOpened,
    AlarmCleared,
    AlarmEscalated,
    AlarmRaised,
    AlarmSeverityChanged,
    SensingEvent,
)
from cityops.sensing.hj212_ingest import Hj212Sink
from cityops.sensing.ingest import DeviceDirectory, Ingestion, IngestResult
from cityops.sensing.map_reads import (
    DeviceCell,
    DeviceMapFilter,
    MapDevice,
    count_devices,
    device_cells,
    device_points,
)
from cityops.sensing.model import DeviceStatus, MetricSpec, Reading
from cityops.sensing.payloads import ALL_REASONS, MAX_PAYLOAD_BYTES, Problem, Reason
from cityops.sensing.policy import ALARM_HANDLERS, DEVICE_MANAGERS, RULE_EDITORS, SENSING_VIEWERS
from cityops.sensing.reads import LatestTexts, MetricSummary
from cityops.sensing.rule_store import RuleVersion, StoredRule
from cityops.sensing.scoping import scoped_alarm_ids
from cityops.sensing.series import DeadLetter, PointRow, StoredDeadLetter
from cityops.sensing.service import NewDevice, RegisteredDevice, SensingService
from cityops.sensing.writer import TelemetryWriter, WriterBusy

__all__ = [
    "ALARM_HANDLERS",
    "ALL_REASONS",
    "ANY_METRIC",
    "DEVICE_MANAGERS",
    "MAX_PAYLOAD_BYTES",
    "RULE_EDITORS",
    "SENSING_VIEWERS",
    "AlarmAcknowledged",
    "AlarmCaseOpened",
    "AlarmCleared",
    "AlarmDetail",
    "AlarmEscalated",
    "AlarmFilter",
    "AlarmLine",
    "AlarmRaised",
    "AlarmRecord",
    "AlarmRunner",
    "AlarmService",
    "AlarmSeverityChanged",
    "AreaAlarmChange",
    "AreaBuckets",
    "BookSettings",
    "CaseKind",
    "CaseTicket",
    "DeadLetter",
    "DeviceAuth",
    "DeviceCell",
    "DeviceDirectory",
    "DeviceFileError",
    "DeviceFileFormat",
    "DeviceImportReport",
    "DeviceLatest",
    "DeviceMapFilter",
    "DeviceRecord",
    "DeviceStatus",
    "DeviceTransfer",
    "DeviceType",
    "FileRow",
    "Hj212Sink",
    "IngestResult",
    "Ingestion",
    "LatestTexts",
    "MapDevice",
    "MetricSpec",
    "MetricSummary",
    "NewDevice",
    "PointRow",
    "Problem",
    "Reading",
    "Reason",
    "RegisteredDevice",
    "RowError",
    "RuleVersion",
    "SensingEvent",
    "SensingService",
    "StoredDeadLetter",
    "StoredRule",
    "TelemetryWriter",
    "WriterBusy",
    "active_alarm_counts",
    "bucket_aggregates",
    "clear_area_alarm",
    "count_devices",
    "device_cells",
    "device_csv_chunks",
    "device_points",
    "device_xlsx_bytes",
    "latest_per_device",
    "raise_area_alarm",
    "read_device_rows",
    "scoped_alarm_ids",
    "shipped_types",
]
