"""Imports every store module so that all tables are registered on the one metadata.
Alembic and the test fixtures use this; nothing else should need it."""

from cityops.infra import outbox as _outbox  # noqa: F401
from cityops.infra.db import metadata

__all__ = ["metadata"]
