"""Shared fixtures. Integration tests run on SQLite and on PostgreSQL (the `db_url` fixture is
parametrized over both); each test run gets its own PostgreSQL database, so runs never collide."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from required_data import DATA_DIR, require_shared_data
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from cityops.app import Platform, build_platform
from cityops.infra.db import make_engine
from cityops.infra.migrate import upgrade
from cityops.infra.settings import Settings
from cityops.kernel.clock import SHANGHAI, FixedClock
from cityops.tables import metadata

pytest_plugins = ["pytester"]  # tests of the test helpers run a small pytest of their own

PG_ADMIN_URL = os.environ.get(
    "CITYOPS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Monday 2026-11-23 09:00 in Shanghai: a working day, inside working hours.
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data: real data from outside; tests that need it say so by using this fixture.
    Without it they skip, except in CI (or with CITYOPS_REQUIRE_DATA=1), where they fail."""
    return require_shared_data(DATA_DIR, os.environ)


@pytest.fixture(scope="session", autouse=True)
def no_developer_routing_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Settings built without a router_model_dir (and CLI subprocesses) find no routing model:
    not the one `make demo` trains into the checkout's var/models/router, which made a browser
    test that expects no suggestions fail on a developer's machine after a demo."""
    with pytest.MonkeyPatch.context() as patch:
        empty = tmp_path_factory.mktemp("no-routing-model") / "router"
        patch.setenv("CITYOPS_ROUTER_MODEL_DIR", str(empty))
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(url, engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test process, migrated once, dropped at the end."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"cityops_t_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the suite promises PostgreSQL: fail loudly, do not skip
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is needed for the tests: {exc}")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(url, engine)
    engine.dispose()
    yield url
    held = _ENGINES.pop(url, None)
    if held is not None:
        held.dispose()
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


_TABLES = [t.name for t in reversed(metadata.sorted_tables)]  # children before parents
# each sequence a column owns that has handed out a value since it was last reset, set back to its
# start in the same statement (setval(…, false): the next value is the start, as RESTART does)
_RESET_USED_SEQUENCES = text(
    "SELECT setval(s.oid, q.start_value, false) FROM pg_class s "
    "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
    "JOIN pg_sequences q ON q.schemaname = s.relnamespace::regnamespace::text "
    "AND q.sequencename = s.relname "
    "WHERE s.relkind = 'S' AND q.last_value IS NOT NULL"
)
_NON_EMPTY = text(
    " UNION ALL ".join(f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in _TABLES)
)
# one per PostgreSQL test database, kept for the process; pinged before use, since tests of a
# database going away terminate every connection to it
_ENGINES: dict[str, Engine] = {}


def _empty_all(url: str) -> None:
    """Every table of cityops empty and every identity restarted, as a TRUNCATE … RESTART
    IDENTITY of all of them would leave it, but only what the last test used is touched: a
    TRUNCATE of all of them costs about 0.2 s a test (new files for each table), an ALTER
    SEQUENCE for each of the hundred sequences about 10 ms; the DELETEs of the few non-empty
    tables and one statement resetting the used sequences take a few milliseconds."""
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES[url] = create_engine(url, pool_size=1, pool_pre_ping=True)
    with engine.begin() as conn:
        full = {row[0] for row in conn.execute(_NON_EMPTY)}
        for name in _TABLES:
            if name in full:
                conn.execute(text(f'DELETE FROM "{name}"'))
        conn.execute(_RESET_USED_SEQUENCES).all()  # used even if their rows were rolled back


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "cityops.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_url")
    _empty_all(url)
    return url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    # no routing model unless a test trains one (never a developer's var/models/router)
    return Settings(env="test", database_url=db_url, router_model_dir=tmp_path / "no-model")


@pytest.fixture
def platform(settings: Settings, clock: FixedClock) -> Iterator[Platform]:
    p = build_platform(settings, clock=clock, migrate=False)
    yield p
    p.close()


@pytest.fixture
def client(platform: Platform) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from cityops.web.app import create_app

    with TestClient(create_app(platform)) as c:
        yield c
