"""case list order: an index on the stage deadline

Revision ID: 0025
Revises: 0024

The case lists sort by the stage deadline (the workbench's order, overdue first, and the
`sort=stage_deadline` column); the other sort keys (reported_at, number, status, category_code)
had their indexes already.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_cases_stage_deadline"), "cases", ["stage_deadline"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_cases_stage_deadline"), table_name="cases")
