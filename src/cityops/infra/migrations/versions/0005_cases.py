"""cases

Revision ID: 0005
Revises: "0004"
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.infra.db

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("number", sa.String(length=24), nullable=True),
        sa.Column("tracking_code", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category_code", sa.String(length=16), nullable=False),
        sa.Column("category_name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("district_code", sa.String(length=40), nullable=True),
        sa.Column("district_name", sa.String(length=100), nullable=True),
        sa.Column("street_code", sa.String(length=40), nullable=True),
        sa.Column("street_name", sa.String(length=100), nullable=True),
        sa.Column("community_code", sa.String(length=40), nullable=True),
        sa.Column("community_name", sa.String(length=100), nullable=True),
        sa.Column("grid_code", sa.String(length=40), nullable=True),
        sa.Column("grid_name", sa.String(length=100), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("department_code", sa.String(length=40), nullable=True),
        sa.Column("department_name", sa.String(length=100), nullable=True),
        sa.Column("first_department_id", sa.Integer(), nullable=True),
        sa.Column("suggested_department_id", sa.Integer(), nullable=True),
        sa.Column("suggested_department_code", sa.String(length=40), nullable=True),
        sa.Column("suggested_department_name", sa.String(length=100), nullable=True),
        sa.Column("reporter_name", sa.String(length=64), nullable=True),
        sa.Column("reporter_phone", sa.String(length=32), nullable=True),
        sa.Column("reporter_user_id", sa.Integer(), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_by_name", sa.String(length=64), nullable=True),
        sa.Column("stage", sa.String(length=16), nullable=True),
        sa.Column("stage_started_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("stage_deadline", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("limits", sa.JSON(), nullable=False),
        sa.Column("deadlines", sa.JSON(), nullable=False),
        sa.Column("handle_deadline", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("close_deadline", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("overdue_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("supervised", sa.Boolean(), nullable=False),
        sa.Column("reminded_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("escalated_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("return_count", sa.Integer(), nullable=False),
        sa.Column("rework_count", sa.Integer(), nullable=False),
        sa.Column("extension_count", sa.Integer(), nullable=False),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column(
            "merged_into_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("suspended_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("suspended_seconds", sa.Float(), nullable=False),
        sa.Column("pending_extension", sa.JSON(), nullable=True),
        sa.Column("handled_on_time", sa.Boolean(), nullable=True),
        sa.Column("closed_on_time", sa.Boolean(), nullable=True),
        sa.Column("satisfaction", sa.String(length=24), nullable=True),
        sa.Column("evaluated_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("reported_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.Column("registered_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("dispatched_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("signed_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("handled_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("closed_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("history_seq", sa.Integer(), nullable=False),
        sa.Column("updated_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_cases_number")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_cases_tracking_code")),
    )
    op.create_index(op.f("ix_cases_area_code"), "cases", ["area_code"], unique=False)
    op.create_index(op.f("ix_cases_category_code"), "cases", ["category_code"], unique=False)
    op.create_index(
        op.f("ix_cases_created_by_user_id"), "cases", ["created_by_user_id"], unique=False
    )
    op.create_index(op.f("ix_cases_department_id"), "cases", ["department_id"], unique=False)
    op.create_index(op.f("ix_cases_reported_at"), "cases", ["reported_at"], unique=False)
    op.create_index(op.f("ix_cases_source"), "cases", ["source"], unique=False)
    op.create_index(op.f("ix_cases_status"), "cases", ["status"], unique=False)
    op.create_table(
        "case_assignments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_assignments_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_assignments")),
        sa.UniqueConstraint("case_id", "department_id", name="uq_case_assignments_case_department"),
    )
    op.create_index(
        op.f("ix_case_assignments_department_id"),
        "case_assignments",
        ["department_id"],
        unique=False,
    )
    op.create_table(
        "case_extensions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_extensions_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_extensions")),
    )
    op.create_index(
        op.f("ix_case_extensions_case_id"), "case_extensions", ["case_id"], unique=False
    )
    op.create_table(
        "case_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=24), nullable=False),
        sa.Column("at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_history_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_history")),
        sa.UniqueConstraint("case_id", "seq", name="uq_case_history_case_seq"),
    )


def downgrade() -> None:
    op.drop_table("case_history")
    op.drop_index(op.f("ix_case_extensions_case_id"), table_name="case_extensions")
    op.drop_table("case_extensions")
    op.drop_index(op.f("ix_case_assignments_department_id"), table_name="case_assignments")
    op.drop_table("case_assignments")
    op.drop_index(op.f("ix_cases_status"), table_name="cases")
    op.drop_index(op.f("ix_cases_source"), table_name="cases")
    op.drop_index(op.f("ix_cases_reported_at"), table_name="cases")
    op.drop_index(op.f("ix_cases_department_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_created_by_user_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_category_code"), table_name="cases")
    op.drop_index(op.f("ix_cases_area_code"), table_name="cases")
    op.drop_table("cases")
