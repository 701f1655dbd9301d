"""knowledge base (知识库) for consultations; cases looked up by the caller's phone

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.infra.db

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "knowledge_articles",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("category_code", sa.String(length=16), nullable=True),
        sa.Column("department_code", sa.String(length=40), nullable=True),
        sa.Column("department_name", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_articles")),
        sa.UniqueConstraint("code", name=op.f("uq_knowledge_articles_code")),
    )
    # the hotline looks a caller's earlier appeals up by phone while the call is on
    op.create_index(op.f("ix_cases_reporter_phone"), "cases", ["reporter_phone"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_cases_reporter_phone"), table_name="cases")
    op.drop_table("knowledge_articles")
