"""case request keys: the idempotency keys of intake and the workflow actions

Revision ID: 0027
Revises: 0025

A client that may send a write twice (the inspector's app replays its offline outbox) names it
with an `Idempotency-Key` header; `case_request_keys` keeps, per account, the key, what the
request was (scope and a fingerprint of its body) and the case it wrote, so that a replay is
answered with that case instead of writing again (cases/request_keys.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.infra.db

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "case_request_keys",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("case_id", _ID, nullable=False),
        sa.Column("created_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_request_keys_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_request_keys")),
        sa.UniqueConstraint("owner", "key", name="uq_case_request_keys_owner_key"),
    )
    op.create_index(
        op.f("ix_case_request_keys_case_id"), "case_request_keys", ["case_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_case_request_keys_case_id"), table_name="case_request_keys")
    op.drop_table("case_request_keys")
