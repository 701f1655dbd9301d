"""Alembic environment: every domain's tables register on cityops.infra.db.metadata."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from cityops.infra.db import make_engine
from cityops.infra.migrate import not_a_partition
from cityops.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=not_a_partition,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


run_migrations_online()
