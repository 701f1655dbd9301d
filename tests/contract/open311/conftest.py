"""A live cityops server (uvicorn on 127.0.0.1, in a thread) over a seeded SQLite city, and an
Open311 api key for it. Contract tests talk to it over real HTTP."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from cityops.app import Platform, build_platform
from cityops.infra.settings import Settings
from cityops.kernel.clock import SHANGHAI, FixedClock

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def live_platform(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Platform]:
    from default_city import seed_default_city

    path = tmp_path_factory.mktemp("open311") / "cityops.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(env="test", database_url=f"sqlite:///{path}")
    p = build_platform(settings, clock=FixedClock(T0), migrate=False)
    seed_default_city(p)
    yield p
    p.close()


@pytest.fixture(scope="module")
def api_key(live_platform: Platform) -> str:
    from cityops.kernel.actor import SYSTEM

    with live_platform.uow() as uow:
        return live_platform.open311.create_key(uow, SYSTEM, "contract").api_key


@pytest.fixture(scope="module")
def endpoint(live_platform: Platform) -> Iterator[str]:
    """The Open311 root URL of a uvicorn server running the app."""
    from live_server import serve

    with serve(live_platform, name="open311-uvicorn") as url:
        yield f"{url}/open311/v2"
