"""open311 keys

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.infra.db

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open311_api_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.Column("last_used_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_api_keys_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_open311_api_keys_name")),
    )
    op.create_table(
        "open311_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=32), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=120), nullable=True),
        sa.Column("created_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["open311_api_keys.id"],
            name=op.f("fk_open311_requests_api_key_id_open311_api_keys"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_requests")),
        sa.UniqueConstraint("case_id", name=op.f("uq_open311_requests_case_id")),
        sa.UniqueConstraint("token", name=op.f("uq_open311_requests_token")),
    )


def downgrade() -> None:
    op.drop_table("open311_requests")
    op.drop_table("open311_api_keys")
