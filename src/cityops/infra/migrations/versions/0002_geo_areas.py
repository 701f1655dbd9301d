"""geo areas

Revision ID: 0002
Revises: "0001"
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.infra.db

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "areas",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=32), nullable=True),
        sa.Column("alias", sa.String(length=64), nullable=True),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("created_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["areas.code"], name=op.f("fk_areas_parent_code_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
        sa.UniqueConstraint("alias", name=op.f("uq_areas_alias")),
        sa.UniqueConstraint("code", name=op.f("uq_areas_code")),
    )
    op.create_index(op.f("ix_areas_level"), "areas", ["level"], unique=False)
    op.create_index(op.f("ix_areas_parent_code"), "areas", ["parent_code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_areas_parent_code"), table_name="areas")
    op.drop_index(op.f("ix_areas_level"), table_name="areas")
    op.drop_table("areas")
