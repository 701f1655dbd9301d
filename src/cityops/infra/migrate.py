"""Alembic, driven from code: `upgrade(url)` brings a database to the newest schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from cityops.infra.db import metadata

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, engine: Engine | None = None, revision: str = "head") -> None:
    cfg = alembic_config(url)
    if engine is not None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    else:
        command.upgrade(cfg, revision)


_PARTITION = re.compile(r"^(?P<parent>[a-z_]+)_\d{8}$")


def not_a_partition(_obj: Any, name: str | None, type_: str, reflected: bool, _to: Any) -> bool:
    """Alembic's `include_object`: a reflected table named `<table>_<YYYYMMDD>`, where `<table>`
    is one of ours, is one of its day partitions (made at run time: `sensing_points`'s on
    PostgreSQL), not a table the migrations should drop."""
    if type_ == "table" and reflected and name is not None:
        match = _PARTITION.match(name)
        if match and match.group("parent") in metadata.tables:
            return False
    return True
