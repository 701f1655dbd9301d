"""sensing: device types, devices, time series (points, rollups, latest values), the reading
log the rules runner reads, dead letters, rules with their versions, alarms and their history

Revision ID: 0028
Revises: 0027

On PostgreSQL `sensing_points` is a table partitioned by range of `ts` (milliseconds): its day
partitions are created as data arrives and dropped whole by retention (sensing/partitions.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.infra.db

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sensing_alarms",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("rule_code", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("group_key", sa.String(length=120), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("acked", sa.Boolean(), nullable=False),
        sa.Column("acked_by", sa.String(length=80), nullable=False),
        sa.Column("acked_at", cityops.infra.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cleared_at", cityops.infra.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_at", cityops.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", cityops.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("flapping", sa.Boolean(), nullable=False),
        sa.Column("escalation", sa.Integer(), nullable=False),
        sa.Column("assignee", sa.String(length=80), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("case_status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensing_alarms")),
    )
    op.create_index(op.f("ix_sensing_alarms_active"), "sensing_alarms", ["active"], unique=False)
    op.create_index(
        op.f("ix_sensing_alarms_area_code"), "sensing_alarms", ["area_code"], unique=False
    )
    op.create_index(
        op.f("ix_sensing_alarms_device_id"), "sensing_alarms", ["device_id"], unique=False
    )
    op.create_index(
        "ix_sensing_alarms_rule_device_active",
        "sensing_alarms",
        ["rule_code", "device_id", "active"],
        unique=False,
    )
    op.create_table(
        "sensing_dead_letters",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("received_at", cityops.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("device_code", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensing_dead_letters")),
    )
    op.create_index(
        op.f("ix_sensing_dead_letters_reason"), "sensing_dead_letters", ["reason"], unique=False
    )
    op.create_index(
        op.f("ix_sensing_dead_letters_received_at"),
        "sensing_dead_letters",
        ["received_at"],
        unique=False,
    )
    op.create_table(
        "sensing_device_types",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=80), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=False),
        sa.Column("sdm_type", sa.String(length=80), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("raw_retention_days", sa.Integer(), nullable=False),
        sa.Column("rollup_retention_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", cityops.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_sensing_device_types")),
    )
    op.create_table(
        "sensing_latest",
        sa.Column(
            "device_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "metric", name=op.f("pk_sensing_latest")),
    )
    op.create_table(
        "sensing_points",
        sa.Column(
            "device_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "metric", "ts", name=op.f("pk_sensing_points")),
        postgresql_partition_by="RANGE (ts)",
    )
    op.create_table(
        "sensing_reading_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", cityops.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("readings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensing_reading_log")),
    )
    op.create_table(
        "sensing_rollups",
        sa.Column(
            "device_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=2), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("min", sa.Float(), nullable=False),
        sa.Column("max", sa.Float(), nullable=False),
        sa.Column("sum", sa.Float(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last", sa.Float(), nullable=False),
        sa.Column("last_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "device_id", "metric", "period", "bucket", name=op.f("pk_sensing_rollups")
        ),
    )
    op.create_table(
        "sensing_rule_versions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("rule_code", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("saved_at", cityops.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensing_rule_versions")),
    )
    op.create_index(
        op.f("ix_sensing_rule_versions_rule_code"),
        "sensing_rule_versions",
        ["rule_code"],
        unique=False,
    )
    op.create_table(
        "sensing_rules",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("updated_at", cityops.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensing_rules")),
        sa.UniqueConstraint("code", name=op.f("uq_sensing_rules_code")),
    )
    op.create_table(
        "sensing_alarm_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("alarm_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", cityops.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["alarm_id"],
            ["sensing_alarms.id"],
            name=op.f("fk_sensing_alarm_events_alarm_id_sensing_alarms"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensing_alarm_events")),
    )
    op.create_index(
        op.f("ix_sensing_alarm_events_alarm_id"), "sensing_alarm_events", ["alarm_id"], unique=False
    )
    op.create_table(
        "sensing_devices",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("type_code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("owner_department", sa.String(length=40), nullable=False),
        sa.Column("om_department", sa.String(length=40), nullable=False),
        sa.Column("gateway_code", sa.String(length=64), nullable=False),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("inactivity_seconds", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("mqtt_username", sa.String(length=64), nullable=True),
        sa.Column("mqtt_password_hash", sa.String(length=200), nullable=True),
        sa.Column("created_at", cityops.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cityops.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["sensing_device_types.code"],
            name=op.f("fk_sensing_devices_type_code_sensing_device_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensing_devices")),
        sa.UniqueConstraint("code", name=op.f("uq_sensing_devices_code")),
        sa.UniqueConstraint("mqtt_username", name=op.f("uq_sensing_devices_mqtt_username")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sensing_devices_token_hash")),
    )
    op.create_index(
        op.f("ix_sensing_devices_area_code"), "sensing_devices", ["area_code"], unique=False
    )
    op.create_index(
        "ix_sensing_devices_type_area", "sensing_devices", ["type_code", "area_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_sensing_devices_type_area", table_name="sensing_devices")
    op.drop_index(op.f("ix_sensing_devices_area_code"), table_name="sensing_devices")
    op.drop_table("sensing_devices")
    op.drop_index(op.f("ix_sensing_alarm_events_alarm_id"), table_name="sensing_alarm_events")
    op.drop_table("sensing_alarm_events")
    op.drop_table("sensing_rules")
    op.drop_index(op.f("ix_sensing_rule_versions_rule_code"), table_name="sensing_rule_versions")
    op.drop_table("sensing_rule_versions")
    op.drop_table("sensing_rollups")
    op.drop_table("sensing_reading_log")
    op.drop_table("sensing_points")
    op.drop_table("sensing_latest")
    op.drop_table("sensing_device_types")
    op.drop_index(op.f("ix_sensing_dead_letters_received_at"), table_name="sensing_dead_letters")
    op.drop_index(op.f("ix_sensing_dead_letters_reason"), table_name="sensing_dead_letters")
    op.drop_table("sensing_dead_letters")
    op.drop_index("ix_sensing_alarms_rule_device_active", table_name="sensing_alarms")
    op.drop_index(op.f("ix_sensing_alarms_device_id"), table_name="sensing_alarms")
    op.drop_index(op.f("ix_sensing_alarms_area_code"), table_name="sensing_alarms")
    op.drop_index(op.f("ix_sensing_alarms_active"), table_name="sensing_alarms")
    op.drop_table("sensing_alarms")
