"""insight: the city map's key sites (重点场所) — schools, hospitals, construction sites, 积水点 …,
imported from GeoJSON or CSV, each a WGS84 point with the area it lies in

Revision ID: 0033
Revises: 0032
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.infra.db

revision: str = "0033"
down_revision: str | Sequence[str] | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "insight_key_sites",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("imported_at", cityops.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
    )
    op.create_index("ix_insight_key_sites_kind", "insight_key_sites", ["kind"])
    op.create_index("ix_insight_key_sites_lon_lat", "insight_key_sites", ["lon", "lat"])
    op.create_index("ix_insight_key_sites_area", "insight_key_sites", ["area_code"])


def downgrade() -> None:
    op.drop_index("ix_insight_key_sites_area", table_name="insight_key_sites")
    op.drop_index("ix_insight_key_sites_lon_lat", table_name="insight_key_sites")
    op.drop_index("ix_insight_key_sites_kind", table_name="insight_key_sites")
    op.drop_table("insight_key_sites")
