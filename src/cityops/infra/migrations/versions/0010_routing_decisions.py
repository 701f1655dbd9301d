"""smart routing at intake (智能分拨): decisions per case and dispatcher corrections

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.infra.db

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "routing_decisions",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", _BIG_ID, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("model_version", sa.String(length=80), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("category_code", sa.String(length=16), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("department_code", sa.String(length=40), nullable=True),
        sa.Column("department_name", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=80), nullable=False),
        sa.Column("decided_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_routing_decisions_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_decisions")),
        sa.UniqueConstraint("case_id", name=op.f("uq_routing_decisions_case_id")),
    )
    op.create_table(
        "routing_corrections",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", _BIG_ID, nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("predicted_label", sa.String(length=32), nullable=False),
        sa.Column("predicted_department_code", sa.String(length=40), nullable=True),
        sa.Column("corrected_label", sa.String(length=32), nullable=True),
        sa.Column("corrected_category_code", sa.String(length=16), nullable=True),
        sa.Column("department_code", sa.String(length=40), nullable=False),
        sa.Column("department_name", sa.String(length=100), nullable=True),
        sa.Column("corrected_by", sa.String(length=64), nullable=False),
        sa.Column("corrected_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_routing_corrections_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_corrections")),
        sa.UniqueConstraint("event_id", name=op.f("uq_routing_corrections_event_id")),
    )
    op.create_index(op.f("ix_routing_corrections_case_id"), "routing_corrections", ["case_id"])
    op.create_index(
        op.f("ix_routing_corrections_corrected_at"), "routing_corrections", ["corrected_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_routing_corrections_corrected_at"), table_name="routing_corrections")
    op.drop_index(op.f("ix_routing_corrections_case_id"), table_name="routing_corrections")
    op.drop_table("routing_corrections")
    op.drop_table("routing_decisions")
