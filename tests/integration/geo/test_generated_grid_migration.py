"""Migration 0013 marks the grids that `cityops geo grid` wrote before areas had a `generated`
column (no alias, named "<community>第<n>网格"), and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from cityops.infra.db import make_engine
from cityops.infra.migrate import alembic_config, upgrade

T = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
ROWS = [  # code, name, level, parent, alias
    ("330199", "测试区", "district", None, None),
    ("330199001", "一街道", "street", "330199", None),
    ("330199001001", "南社区", "community", "330199001", None),
    ("330199001001001", "南社区第1网格", "grid", "330199001001", None),  # generated
    ("330199001001002", "南社区第12网格", "grid", "330199001001", None),  # generated
    ("330199001001003", "南社区第一网格", "grid", "330199001001", None),  # drawn, no alias
    ("330199001001004", "南社区第3网格", "grid", "330199001001", "G-1-4"),  # drawn, aliased
    ("330199001001005", "北社区第1网格", "grid", "330199001001", None),  # another's name
]


def test_grids_generated_before_the_column_are_marked(db_url: str) -> None:
    engine = make_engine(db_url)
    cfg = alembic_config(db_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0012")
    with engine.begin() as conn:
        for code, name, level, parent, alias in ROWS:
            conn.execute(
                text(
                    "INSERT INTO areas (code, name, level, parent_code, alias, geometry, min_lon,"
                    " min_lat, max_lon, max_lat, created_at, updated_at) VALUES (:c, :n, :l, :p,"
                    " :a, '{}', 0, 0, 0, 0, :t, :t)"
                ),
                {"c": code, "n": name, "l": level, "p": parent, "a": alias, "t": T},
            )
    upgrade(db_url, engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT code, generated, retired_at FROM areas")).all()
    engine.dispose()
    generated = sorted(code for code, flag, _ in rows if flag)
    assert generated == ["330199001001001", "330199001001002"]
    assert {retired for _, _, retired in rows} == {None}
