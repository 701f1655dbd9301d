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
    from cityops.cases.taxonomy_io import default_departments, load_default_taxonomy
    from cityops.geo.public import AreaLevel
    from cityops.kernel.actor import SYSTEM
    from cityops.org.public import DepartmentKind, NewDepartment

    path = tmp_path_factory.mktemp("open311") / "cityops.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(env="test", database_url=f"sqlite:///{path}")
    p = build_platform(settings, clock=FixedClock(T0), migrate=False)
    with p.uow() as uow:
        p.geo.generate_demo_city(uow, SYSTEM)
        for spec in default_departments():
            p.org.create_department(
                uow, SYSTEM, NewDepartment(spec.code, spec.name, DepartmentKind(spec.kind))
            )
        load_default_taxonomy(uow, p.taxonomy, SYSTEM)
    with p.read() as session:
        streets = p.geo.list_areas(session, AreaLevel.street)
    with p.uow() as uow:
        for street in streets:
            p.org.create_department(
                uow,
                SYSTEM,
                NewDepartment(
                    f"JD{street.code}",
                    f"{street.name}办事处",
                    DepartmentKind.street_office,
                    area_code=street.code,
                ),
            )
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
