"""history by time: the case history indexed by when each line was written, and cases by the case
they were merged into

Revision ID: 0017
Revises: 0016

Open311 servicerequestupdates reads the history lines written in a window (7 days by default,
90 at most) of every case reported within the year before it, in one statement
(cases/feeds.py): `ix_case_history_at` lets it start from the lines of the window instead of
every line of a year's cases. `ix_cases_merged_into_id` serves the chains of merges (合并办理)
that the same read and the request list follow.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_case_history_at"), "case_history", ["at"], unique=False)
    op.create_index(op.f("ix_cases_merged_into_id"), "cases", ["merged_into_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_cases_merged_into_id"), table_name="cases")
    op.drop_index(op.f("ix_case_history_at"), table_name="case_history")
