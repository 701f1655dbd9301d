"""areas: generated grids marked, and retired when their community receives real grids

Revision ID: 0013
Revises: 0012

Grids generated before this revision carry no mark; they are recognised by what `cityops geo
grid` wrote: no alias, and the name "<community name>第<n>网格" with an Arabic number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.infra.db

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GENERATED_NAME = re.compile(r"第\d+网格")


def upgrade() -> None:
    op.add_column(
        "areas", sa.Column("generated", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("areas", sa.Column("retired_at", cityops.infra.db.UTCDateTime(), nullable=True))
    areas = sa.table(
        "areas",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("level", sa.String),
        sa.column("parent_code", sa.String),
        sa.column("alias", sa.String),
        sa.column("generated", sa.Boolean),
    )
    parent = areas.alias("parent")
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(areas.c.code, areas.c.name, parent.c.name)
        .join(parent, parent.c.code == areas.c.parent_code)
        .where(areas.c.level == "grid", areas.c.alias.is_(None), parent.c.level == "community")
    ).all()
    generated = [
        code
        for code, name, community in rows
        if name.startswith(community) and _GENERATED_NAME.fullmatch(name[len(community) :])
    ]
    for start in range(0, len(generated), 500):
        conn.execute(
            sa.update(areas)
            .where(areas.c.code.in_(generated[start : start + 500]))
            .values(generated=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("areas") as batch:
        batch.drop_column("retired_at")
        batch.drop_column("generated")
