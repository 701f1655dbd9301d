"""SQLite's PRAGMA synchronous: FULL (every commit synced, survives a power cut) in production
unless set otherwise, NORMAL elsewhere; as the engine is given it, on every connection."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from sqlalchemy import text

from cityops.app import build_platform
from cityops.infra.db import make_engine
from cityops.infra.settings import Settings

LEVEL = {1: "NORMAL", 2: "FULL"}  # what PRAGMA synchronous reads back


@pytest.mark.parametrize(
    ("env", "given", "expected"),
    [
        ("prod", None, "FULL"),
        ("dev", None, "NORMAL"),
        ("demo", None, "NORMAL"),
        ("prod", "NORMAL", "NORMAL"),
        ("dev", "FULL", "FULL"),
    ],
)
def test_the_setting(env: str, given: str | None, expected: str) -> None:
    settings = Settings(
        env=env,  # type: ignore[arg-type]
        secret_key=secrets.token_urlsafe(48),
        sqlite_synchronous=given,  # type: ignore[arg-type]
    )
    assert settings.sqlite_sync == expected


@pytest.mark.parametrize("level", ["NORMAL", "FULL"])
def test_every_connection_runs_with_it(tmp_path: Path, level: str) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/sync.db", sqlite_synchronous=level)
    try:
        with engine.connect() as a, engine.connect() as b:
            for conn in (a, b):
                assert LEVEL[conn.execute(text("PRAGMA synchronous")).scalar_one()] == level
    finally:
        engine.dispose()


def test_anything_else_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="NORMAL or FULL"):
        make_engine(f"sqlite:///{tmp_path}/sync.db", sqlite_synchronous="OFF")


def test_a_production_platform_syncs_every_commit(tmp_path: Path) -> None:
    settings = Settings(
        env="prod",
        secret_key=secrets.token_urlsafe(48),
        database_url=f"sqlite:///{tmp_path}/prod.db",
        router_model_dir=tmp_path / "no-model",
    )
    platform = build_platform(settings)
    try:
        with platform.read() as session:
            assert LEVEL[session.execute(text("PRAGMA synchronous")).scalar_one()] == "FULL"
    finally:
        platform.close()
