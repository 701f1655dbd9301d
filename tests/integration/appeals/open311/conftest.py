"""An Open311 city: the demo city, the default responsibility list with its departments, a street
office per street, an admin, and api keys made through the CLI."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import shapely.geometry
from default_city import seed_default_city
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from cityops.app import Platform
from cityops.appeals.open311.store import open311_api_keys, open311_requests
from cityops.cases.store import cases
from cityops.cli import app as cli_app

KEY_RE = re.compile(r"^o311_[A-Za-z0-9_-]+$", re.MULTILINE)
MANHOLE = "C010102"  # 污水井盖 → 水务局 (SWJ)
STREET = "330191001"  # 湖滨街道
OUTSIDE = (121.47, 31.23)  # Shanghai, far from the demo city


@pytest.fixture
def city(platform: Platform) -> Platform:
    p = platform
    seed_default_city(p)
    return p


@pytest.fixture
def api(city: Platform) -> Iterator[TestClient]:
    from cityops.web.app import create_app

    with TestClient(create_app(city)) as c:
        yield c


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Run `cityops …` against the test database; returns the result (exit code asserted 0
    unless `expect` says otherwise)."""
    monkeypatch.setenv("CITYOPS_DATABASE_URL", db_url)
    monkeypatch.setenv("CITYOPS_ENV", "test")
    runner = CliRunner()

    def run(*args: str, expect: int = 0) -> Any:
        result = runner.invoke(cli_app, list(args))
        assert result.exit_code == expect, result.output
        return result

    return run


@pytest.fixture
def new_key(cli: Callable[..., Any], city: Platform) -> Callable[[str], str]:
    def make(name: str) -> str:
        out = cli("open311", "keys", "create", name).output
        found = KEY_RE.search(out)
        assert found, out
        return found.group(0)

    return make


@pytest.fixture
def api_key(new_key: Callable[[str], str]) -> str:
    return new_key("partner-app")


@pytest.fixture
def inside(city: Platform) -> tuple[float, float]:
    """(lat, long) of a point in 湖滨街道."""
    with city.read() as s:
        feature = city.geo.get_feature(s, STREET)
    p = shapely.geometry.shape(feature.geometry).representative_point()
    return p.y, p.x


@pytest.fixture
def body(api_key: str, inside: tuple[float, float]) -> dict[str, Any]:
    lat, lon = inside
    return {
        "api_key": api_key,
        "service_code": MANHOLE,
        "lat": str(lat),
        "long": str(lon),
        "description": "湖滨路口污水井盖松动，车辆经过有响声",
        "phone": "13812345678",
        "first_name": "三",
        "last_name": "张",
        "attribute[appeal_type]": "complaint",
    }


@pytest.fixture
def counts(city: Platform) -> Callable[[], tuple[int, int]]:
    """(cases, open311 requests) in the database now."""

    def count() -> tuple[int, int]:
        with city.read() as s:
            n_cases = s.execute(select(func.count()).select_from(cases)).scalar_one()
            n_req = s.execute(select(func.count()).select_from(open311_requests)).scalar_one()
        return n_cases, n_req

    return count


@pytest.fixture
def key_rows(city: Platform) -> Callable[[], list[Any]]:
    def rows() -> list[Any]:
        with city.read() as s:
            return list(s.execute(select(open311_api_keys)).mappings())

    return rows


Step = tuple[str, dict[str, Any]]


@pytest.fixture
def staff(city: Platform) -> Callable[..., Any]:
    """`staff(number, ("register", {}), ("dispatch", {"department_code": "SWJ"}), …)`: take the
    case through steps as the staff who may (operator, dispatcher, the SWJ handler, shift
    leader); returns the case as it is then."""
    from cityops.cases.public import ActionCommand, CaseAction, CaseFilter
    from cityops.kernel.actor import Actor, Role

    with city.read() as s:
        swj = city.org.department_by_code(s, "SWJ")

    def actor(role: Role, **kw: Any) -> Actor:
        return Actor(user_id=None, username=f"t-{role}", roles=frozenset({role}), **kw)

    by_action = {
        "sign": actor(Role.handler, department_id=swj.id, department_code="SWJ"),
        "finish": actor(Role.handler, department_id=swj.id, department_code="SWJ"),
        "request_extension": actor(Role.handler, department_id=swj.id, department_code="SWJ"),
        "return": actor(Role.handler, department_id=swj.id, department_code="SWJ"),
        "dispatch": actor(Role.dispatcher),
        "verify": actor(Role.dispatcher),
        "approve_extension": actor(Role.shift_leader),
        "suspend": actor(Role.shift_leader),
        "resume": actor(Role.shift_leader),
    }
    operator = actor(Role.operator)

    def run(number: str, *steps: Step) -> Any:
        with city.read() as s:
            [case] = [
                c
                for c in city.cases.list_cases(s, operator, CaseFilter(q=number), 1, 5).items
                if c.number == number
            ]
        for name, fields in steps:
            with city.uow() as uow:
                case = city.cases.act(
                    uow,
                    by_action.get(name, operator),
                    case.id,
                    CaseAction(name),
                    ActionCommand(version=case.version, **fields),
                )
        return case

    return run
