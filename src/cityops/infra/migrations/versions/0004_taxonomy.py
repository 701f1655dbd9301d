"""taxonomy

Revision ID: 0004
Revises: "0003"
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.infra.db

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_code", sa.String(length=16), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("filing_condition", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("responsible_kind", sa.String(length=32), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=True),
        sa.Column("limits", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_categories")),
    )
    op.create_index(op.f("ix_categories_parent_code"), "categories", ["parent_code"], unique=False)
    op.create_index(op.f("ix_categories_kind"), "categories", ["kind"], unique=False)
    op.create_table(
        "category_revisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("category_code", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_revisions")),
        sa.UniqueConstraint(
            "category_code", "revision", name="uq_category_revisions_code_revision"
        ),
    )
    op.create_index(
        op.f("ix_category_revisions_category_code"),
        "category_revisions",
        ["category_code"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_category_revisions_category_code"), table_name="category_revisions")
    op.drop_table("category_revisions")
    op.drop_index(op.f("ix_categories_kind"), table_name="categories")
    op.drop_index(op.f("ix_categories_parent_code"), table_name="categories")
    op.drop_table("categories")
