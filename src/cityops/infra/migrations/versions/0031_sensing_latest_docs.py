"""sensing: each device's latest values as one stored JSON text (the read model of the latest
API), sensing_latest clustered on its key on SQLite (WITHOUT ROWID), and an index on the case an
alarm opened

Revision ID: 0031
Revises: 0030
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | Sequence[str] | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# every device's text from the rows already stored (as sensing/latest_docs.py builds them)
_FILL = {
    "sqlite": (
        "INSERT INTO sensing_latest_docs (device_id, doc) SELECT device_id, "
        "json_group_array(json_object('metric', metric, 'ts', CASE WHEN ts % 1000 = 0 THEN "
        "strftime('%Y-%m-%dT%H:%M:%SZ', ts / 1000, 'unixepoch') ELSE "
        "strftime('%Y-%m-%dT%H:%M:%S', ts / 1000, 'unixepoch') || printf('.%03d000Z', ts % "
        "1000) END, 'value', value)) FROM (SELECT device_id, metric, ts, value FROM "
        "sensing_latest  ORDER BY device_id, metric) WHERE true GROUP BY device_id ON "
        "CONFLICT (device_id) DO UPDATE SET doc = excluded.doc"
    ),
    "postgresql": (
        "INSERT INTO sensing_latest_docs (device_id, doc) SELECT device_id, "
        "json_agg(json_build_object('metric', metric, 'ts', CASE WHEN ts % 1000 = 0 THEN "
        "to_char(to_timestamp(ts / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
        "ELSE to_char(to_timestamp(ts / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        "|| '.' || lpad((ts % 1000)::text, 3, '0') || '000Z' END, 'value', value) ORDER BY "
        "metric)::text FROM sensing_latest  GROUP BY device_id ON CONFLICT (device_id) DO "
        "UPDATE SET doc = EXCLUDED.doc"
    ),
}


def upgrade() -> None:
    op.create_table(
        "sensing_latest_docs",
        sa.Column(
            "device_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("doc", sa.Text(), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        # the rows of one device lie together: reading 10,000 devices' values walks the table
        # in key order instead of looking up each row by rowid
        with op.batch_alter_table(
            "sensing_latest", recreate="always", table_kwargs={"sqlite_with_rowid": False}
        ):
            pass
    op.execute(_FILL[op.get_bind().dialect.name])
    op.create_index("ix_sensing_alarms_case_id", "sensing_alarms", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_sensing_alarms_case_id", table_name="sensing_alarms")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "sensing_latest", recreate="always", table_kwargs={"sqlite_with_rowid": True}
        ):
            pass
    op.drop_table("sensing_latest_docs")
