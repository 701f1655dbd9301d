"""citizen channel: portal appeals, their photos and ratings; citizen notifications

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.infra.db

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "portal_appeals",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", _BIG_ID, nullable=False),
        sa.Column("tracking_code", sa.String(length=32), nullable=False),
        sa.Column("appeal_type", sa.String(length=16), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("category_by", sa.String(length=16), nullable=False),
        sa.Column("created_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_portal_appeals_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_appeals")),
        sa.UniqueConstraint("case_id", name=op.f("uq_portal_appeals_case_id")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_portal_appeals_tracking_code")),
    )
    op.create_table(
        "appeal_photos",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", _BIG_ID, nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_appeal_photos_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_photos")),
        sa.UniqueConstraint("path", name=op.f("uq_appeal_photos_path")),
    )
    op.create_index(op.f("ix_appeal_photos_case_id"), "appeal_photos", ["case_id"])
    op.create_table(
        "portal_ratings",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", _BIG_ID, nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("satisfaction", sa.String(length=24), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("reopened", sa.Boolean(), nullable=False),
        sa.Column("created_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_portal_ratings_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_ratings")),
        sa.UniqueConstraint("case_id", "round", name="uq_portal_ratings_case_round"),
    )
    op.create_table(
        "notification_recipients",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", _BIG_ID, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("created_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_notification_recipients_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_recipients")),
        sa.UniqueConstraint("case_id", "channel", "address", name="uq_notification_recipients"),
    )
    op.create_index(
        op.f("ix_notification_recipients_case_id"), "notification_recipients", ["case_id"]
    )
    op.create_table(
        "notifications",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("event_name", sa.String(length=80), nullable=False),
        sa.Column("case_id", _BIG_ID, nullable=False),
        sa.Column("case_number", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", cityops.infra.db.UTCDateTime(), nullable=False),
        sa.Column("sent_at", cityops.infra.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "event_id", "channel", "recipient", name="uq_notifications_event_recipient"
        ),
    )
    op.create_index(op.f("ix_notifications_case_id"), "notifications", ["case_id"])
    op.create_index(op.f("ix_notifications_created_at"), "notifications", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notifications_created_at"), table_name="notifications")
    op.drop_index(op.f("ix_notifications_case_id"), table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_notification_recipients_case_id"), table_name="notification_recipients")
    op.drop_table("notification_recipients")
    op.drop_table("portal_ratings")
    op.drop_index(op.f("ix_appeal_photos_case_id"), table_name="appeal_photos")
    op.drop_table("appeal_photos")
    op.drop_table("portal_appeals")
