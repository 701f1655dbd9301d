"""vital signs (城市体征): definition sets, values, states, transitions and imported series

Revision ID: 0032
Revises: 0031
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.infra.db

revision: str = "0032"
down_revision: str | Sequence[str] | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at() -> cityops.infra.db.UTCDateTime:
    return cityops.infra.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "vital_definition_sets",
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("yaml", sa.Text(), nullable=False),
        sa.Column("imported_at", _at(), nullable=False),
        sa.Column("imported_by", sa.String(length=80), nullable=False),
    )
    op.create_table(
        "vital_values",
        sa.Column("indicator", sa.String(length=64), primary_key=True),
        sa.Column("area_code", sa.String(length=40), primary_key=True),
        # whole seconds since 1970 UTC: a trend's buckets are integer arithmetic on both databases
        sa.Column("at", cityops.infra.db.EpochSeconds(), primary_key=True, autoincrement=False),
        sa.Column("value", sa.Float(), nullable=True),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "vital_states",
        sa.Column("indicator", sa.String(length=64), primary_key=True),
        sa.Column("area_code", sa.String(length=40), primary_key=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=True),
        sa.Column("since", _at(), nullable=False),
        sa.Column("streak_blue", sa.Integer(), nullable=False),
        sa.Column("streak_yellow", sa.Integer(), nullable=False),
        sa.Column("streak_orange", sa.Integer(), nullable=False),
        sa.Column("streak_red", sa.Integer(), nullable=False),
        sa.Column("below", sa.Integer(), nullable=False),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("evaluated_at", _at(), nullable=True),
    )
    op.create_table(
        "vital_transitions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("at", _at(), nullable=False),
        sa.Column("from_status", sa.String(length=10), nullable=False),
        sa.Column("to_status", sa.String(length=10), nullable=False),
        sa.Column("from_level", sa.String(length=10), nullable=True),
        sa.Column("to_level", sa.String(length=10), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("case_id", _ID, nullable=True),
    )
    op.create_index(
        "ix_vital_transitions_indicator_area_at",
        "vital_transitions",
        ["indicator", "area_code", "at"],
    )
    op.create_table(
        "vital_series_points",
        sa.Column("series", sa.String(length=80), primary_key=True),
        sa.Column("area_code", sa.String(length=40), primary_key=True),
        sa.Column("at", _at(), primary_key=True),
        sa.Column("value", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("vital_series_points")
    op.drop_index("ix_vital_transitions_indicator_area_at", table_name="vital_transitions")
    op.drop_table("vital_transitions")
    op.drop_table("vital_states")
    op.drop_table("vital_values")
    op.drop_table("vital_definition_sets")
