"""The sensing tables and their queries; tables never leave this module.

Time series (`sensing_points`, `sensing_rollups`, `sensing_latest`) keep instants as integer
milliseconds since 1970 UTC (`ts`, `bucket`): an integer column is the cheapest key on both
databases and needs no time-zone handling per row. Everything else uses `UTCDateTime`.
On PostgreSQL `sensing_points` is partitioned by `ts` in days (`partitions.py`), so retention
drops whole partitions; on SQLite it is one table that retention deletes from.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from cityops.infra.db import UTCDateTime, metadata

_BIG_ID = BigInteger().with_variant(Integer, "sqlite")

device_types = Table(
    "sensing_device_types",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name_zh", String(80), nullable=False),
    Column("name_en", String(80), nullable=False),
    Column("sdm_type", String(80), nullable=False, default=""),  # Smart Data Models entity type
    Column("metrics", JSON, nullable=False),  # [MetricSpec as a dict], in order
    Column("raw_retention_days", Integer, nullable=False),
    Column("rollup_retention_days", Integer, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

devices = Table(
    "sensing_devices",
    metadata,
    Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("type_code", String(40), ForeignKey("sensing_device_types.code"), nullable=False),
    Column("name", String(120), nullable=False, default=""),
    Column("lon", Float, nullable=False),  # WGS84
    Column("lat", Float, nullable=False),
    Column("area_code", String(40), nullable=False, default="", index=True),  # deepest area
    Column("owner_department", String(40), nullable=False, default=""),
    Column("om_department", String(40), nullable=False, default=""),  # 运维单位
    Column("gateway_code", String(64), nullable=False, default=""),
    Column("installed_on", Date, nullable=True),
    Column("inactivity_seconds", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("token_hash", String(64), nullable=True, unique=True),  # SHA-256 of the HTTP token
    Column("mqtt_username", String(64), nullable=True, unique=True),
    Column("mqtt_password_hash", String(200), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_sensing_devices_type_area", "type_code", "area_code"),
)

points = Table(
    "sensing_points",
    metadata,
    Column("device_id", _BIG_ID, primary_key=True),
    Column("metric", String(40), primary_key=True),
    Column("ts", BigInteger, primary_key=True),  # ms since 1970 UTC
    Column("value", Float, nullable=False),
    postgresql_partition_by="RANGE (ts)",
)

rollups = Table(
    "sensing_rollups",
    metadata,
    Column("device_id", _BIG_ID, primary_key=True),
    Column("metric", String(40), primary_key=True),
    Column("period", String(2), primary_key=True),  # 1m, 1h, 1d
    Column("bucket", BigInteger, primary_key=True),  # the bucket's start, ms
    Column("min", Float, nullable=False),
    Column("max", Float, nullable=False),
    Column("sum", Float, nullable=False),
    Column("count", Integer, nullable=False),
    Column("last", Float, nullable=False),
    Column("last_ts", BigInteger, nullable=False),
)

latest = Table(
    "sensing_latest",
    metadata,
    Column("device_id", _BIG_ID, primary_key=True),
    Column("metric", String(40), primary_key=True),
    Column("ts", BigInteger, nullable=False),
    Column("value", Float, nullable=False),
    sqlite_with_rowid=False,  # clustered on (device, metric): a device's rows lie together
)

latest_docs = Table(
    # each device's latest values as the JSON text the latest API answers with (latest_docs.py)
    "sensing_latest_docs",
    metadata,
    Column("device_id", _BIG_ID, primary_key=True, autoincrement=False),
    Column("doc", Text, nullable=False),
)

reading_log = Table(
    # the readings of each committed ingest batch, for the rules runner (an outbox of readings:
    # one row per batch, deleted once evaluated), so several ingest workers feed one evaluator
    "sensing_reading_log",
    metadata,
    Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("readings", JSON, nullable=False),  # [[device_code, metric, ts_ms, value], ...]
)

dead_letters = Table(
    "sensing_dead_letters",
    metadata,
    Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    Column("received_at", UTCDateTime(), nullable=False, index=True),
    Column("channel", String(10), nullable=False),  # http, mqtt, hj212
    Column("device_code", String(64), nullable=False, default=""),
    Column("reason", String(40), nullable=False, index=True),
    Column("detail", String(500), nullable=False, default=""),
    Column("source", String(200), nullable=False, default=""),  # topic, peer address
    Column("payload", Text, nullable=False, default=""),  # the first 4 KB
    Column("repeats", Integer, nullable=False, default=1),  # rate-limited floods: one row a minute
)

rules = Table(
    "sensing_rules",
    metadata,
    Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("body", JSON, nullable=False),  # the rule as its YAML mapping
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("updated_by", String(80), nullable=False),
)

rule_versions = Table(
    "sensing_rule_versions",
    metadata,
    Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    Column("rule_code", String(64), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("body", JSON, nullable=False),
    Column("saved_at", UTCDateTime(), nullable=False),
    Column("saved_by", String(80), nullable=False),
)

alarms = Table(
    "sensing_alarms",
    metadata,
    Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),  # rule, anomaly, offline, group, fault
    Column("rule_code", String(64), nullable=False, default=""),
    Column("device_id", _BIG_ID, nullable=True, index=True),
    Column("group_key", String(120), nullable=False, default=""),  # area / gateway of a group
    Column("area_code", String(40), nullable=False, default="", index=True),
    Column("severity", String(10), nullable=False),
    Column("title", String(200), nullable=False),
    Column("active", Boolean, nullable=False, index=True),
    Column("acked", Boolean, nullable=False, default=False),
    Column("acked_by", String(80), nullable=False, default=""),
    Column("acked_at", UTCDateTime(), nullable=True),
    Column("cleared_at", UTCDateTime(), nullable=True),
    Column("first_at", UTCDateTime(), nullable=False),
    Column("last_at", UTCDateTime(), nullable=False),
    Column("count", Integer, nullable=False, default=1),
    Column("flapping", Boolean, nullable=False, default=False),
    Column("escalation", Integer, nullable=False, default=0),
    Column("assignee", String(80), nullable=False, default=""),
    Column("detail", JSON, nullable=False),  # values, members of a group, explanation
    Column("case_id", _BIG_ID, nullable=True),  # the case it opened (no FK: cases is above)
    Column("case_status", String(20), nullable=False, default=""),
    Index("ix_sensing_alarms_rule_device_active", "rule_code", "device_id", "active"),
    Index("ix_sensing_alarms_case_id", "case_id"),
)

alarm_events = Table(
    "sensing_alarm_events",
    metadata,
    Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    Column("alarm_id", _BIG_ID, ForeignKey("sensing_alarms.id"), nullable=False, index=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("action", String(20), nullable=False),  # raised, repeated, acked, cleared, assigned …
    Column("actor", String(80), nullable=False, default=""),
    Column("note", String(1000), nullable=False, default=""),
)
