"""category keywords: the words that name a category in an appeal's text (关键词) become a stored
field of the responsibility list; an index on cases (street_code, reported_at)

Revision ID: 0029
Revises: 0028

Until now smart routing read them from the shipped default_taxonomy.yaml by category code. The
upgrade gives every stored category that shares a code with the shipped list the file's keywords,
as the router read them before, so routing is unchanged by the upgrade; from then on they are
edited with the list (API, /admin, import).

The index serves smart routing's place prior, which reads a street's cases of the last 90 days
for each appeal it decides on (cases/nearby.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | Sequence[str] | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_cases_street_code_reported_at"),
        "cases",
        ["street_code", "reported_at"],
        unique=False,
    )
    op.add_column("categories", sa.Column("keywords", sa.JSON(), nullable=True))
    from cityops.taxonomy.keywords import default_keywords

    categories = sa.table(
        "categories", sa.column("code", sa.String()), sa.column("keywords", sa.JSON())
    )
    bind = op.get_bind()
    for code, words in default_keywords().items():
        bind.execute(
            sa.update(categories)
            .where(categories.c.code == code, categories.c.keywords.is_(None))
            .values(keywords=list(words))
        )


def downgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.drop_column("keywords")
    op.drop_index(op.f("ix_cases_street_code_reported_at"), table_name="cases")
