"""webhook breaker: each receiver's circuit breaker (failures in a row, openings, paused until)

Revision ID: 0016
Revises: 0015

A receiver (subscription) whose sends fail `CITYOPS_WEBHOOK_BREAKER_THRESHOLD` times in a row is
paused for a period that doubles with each opening; its deliveries wait, unattempted. Existing
receivers start closed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from cityops.infra.db import UTCDateTime

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.add_column(
            sa.Column("breaker_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("breaker_openings", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("breaker_open_until", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.drop_column("breaker_open_until")
        batch.drop_column("breaker_openings")
        batch.drop_column("breaker_failures")
