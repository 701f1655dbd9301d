"""follow-up visits (回访): the read model behind the 三率

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.infra.db

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "followup_visits",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", _BIG_ID, nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("visited_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.Column("contacted", sa.Boolean(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("satisfaction", sa.String(length=24), nullable=True),
        sa.Column("department_code", sa.String(length=40), nullable=True),
        sa.Column("department_name", sa.String(length=100), nullable=True),
        sa.Column("district_code", sa.String(length=40), nullable=True),
        sa.Column("street_code", sa.String(length=40), nullable=True),
        sa.Column("street_name", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("reported_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.Column("handled_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("responded_within_limit", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_visits")),
        sa.UniqueConstraint("event_id", name=op.f("uq_followup_visits_event_id")),
    )
    op.create_index(op.f("ix_followup_visits_case_id"), "followup_visits", ["case_id"])
    op.create_index(op.f("ix_followup_visits_visited_at"), "followup_visits", ["visited_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_followup_visits_visited_at"), table_name="followup_visits")
    op.drop_index(op.f("ix_followup_visits_case_id"), table_name="followup_visits")
    op.drop_table("followup_visits")
