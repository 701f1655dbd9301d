"""citizen notifications: recipients carried over to the case theirs was merged into

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "notification_recipients",
        sa.Column("tracking_code", sa.String(length=32), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("notification_recipients") as batch:
        batch.drop_column("tracking_code")
