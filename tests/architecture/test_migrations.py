"""The Alembic migrations build exactly the schema the code declares, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from cityops.infra.db import make_engine
from cityops.infra.migrate import not_a_partition
from cityops.tables import metadata


def test_migrations_match_the_tables_in_code(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": not_a_partition}
        )
        diff = compare_metadata(ctx, metadata)
    engine.dispose()
    assert diff == [], f"migrations and tables differ: {diff}"
