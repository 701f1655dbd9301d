"""rating channels: how each rating was given and who recorded it

Revision ID: 0019
Revises: 0018

A rating counts in the satisfaction figures that judge departments, so each says how it came:
`portal_ratings.channel` (portal: the citizen with the tracking code) and `client_hash` (a keyed
hash of the client address, never the address); `followup_visits.channel` (portal, or followup:
a staff member's 回访 recording the citizen's answer) with `recorded_by_user_id` and
`recorded_by` (the username). Visits recorded before this revision are filled in from their
case's evaluate history line of the same moment: no user → portal, a user → followup by them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("portal_ratings") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=16), nullable=False, server_default="portal")
        )
        batch.add_column(sa.Column("client_hash", sa.String(length=32), nullable=True))
    with op.batch_alter_table("followup_visits") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("recorded_by_user_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("recorded_by", sa.String(length=64), nullable=True))
    visits = sa.table(
        "followup_visits",
        sa.column("case_id", sa.Integer()),
        sa.column("visited_at", sa.DateTime()),
        sa.column("channel", sa.String()),
        sa.column("recorded_by_user_id", sa.Integer()),
    )
    history = sa.table(
        "case_history",
        sa.column("id", sa.Integer()),
        sa.column("case_id", sa.Integer()),
        sa.column("action", sa.String()),
        sa.column("at", sa.DateTime()),
        sa.column("actor_user_id", sa.Integer()),
    )
    line = sa.and_(
        history.c.case_id == visits.c.case_id,
        history.c.action == "evaluate",
        history.c.at == visits.c.visited_at,
    )
    user = sa.select(history.c.actor_user_id).where(line).order_by(history.c.id).limit(1)
    op.execute(
        visits.update()
        .where(sa.exists().where(line))
        .values(
            recorded_by_user_id=user.scalar_subquery(),
            channel=sa.case(
                (user.scalar_subquery().is_(None), sa.literal("portal")),
                else_=sa.literal("followup"),
            ),
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("followup_visits") as batch:
        batch.drop_column("recorded_by")
        batch.drop_column("recorded_by_user_id")
        batch.drop_column("channel")
    with op.batch_alter_table("portal_ratings") as batch:
        batch.drop_column("client_hash")
        batch.drop_column("channel")
