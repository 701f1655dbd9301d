"""Fuzzing the API from its own OpenAPI schema (schemathesis): every operation gets a few
generated requests, each sent by a signed-in dispatcher, by an administrator and without a
token, to the app in-process on SQLite with a small city (departments, staff of every role, cases
in two streets, a citizen's appeal). No answer may be a 5xx, and every documented answer must
match its schema. Path parameters are mostly drawn from the city's real ids and codes, so that
requests get past "not found".

The run is fixed (hypothesis derandomized: the same requests every time) and short (a few
examples per operation), so it is part of the ordinary test run; to look harder, set
CITYOPS_FUZZ_EXAMPLES (5 by default). A failure names the operation, who sent it and the
request as a curl command."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from case_city import GRID, LAMP, LEAK, OTHER_GRID, OTHER_STREET, PASSWORD, STREET, build_city
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import select

from cityops.app import Platform, build_platform
from cityops.cases.store import cases
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import SHANGHAI, FixedClock
from cityops.org.public import NewUser
from cityops.web.app import create_app

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)  # a working Monday morning
FUZZ_EXAMPLES = int(os.environ.get("CITYOPS_FUZZ_EXAMPLES", "5"))
PHONE = "13812345678"
# schemathesis gives a request 10 s; the first that loads the routing's word list (jieba) can
# take longer on a loaded machine under coverage, and that is no failure of the app
REQUEST_SECONDS = 120
ACTORS = ("disp", "adm", None)  # a dispatcher, an administrator, nobody signed in
CHECKS = [not_a_server_error, response_schema_conformance]


@dataclass
class Target:
    platform: Platform
    app: FastAPI
    tracking_code: str  # a citizen's appeal


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Target]:
    tmp = tmp_path_factory.mktemp("fuzz")
    path = tmp / "cityops.db"
    path.write_bytes(sqlite_template.read_bytes())
    platform = build_platform(
        Settings(
            env="test",
            database_url=f"sqlite:///{path}",
            router_model_dir=tmp / "no-model",
            portal_submits_per_minute=100_000,
            portal_reads_per_minute=100_000,
            public_reads_per_minute=100_000,
        ),
        clock=FixedClock(T0),
        migrate=False,
    )
    platform.portal.photos.root = tmp / "uploads"
    app = create_app(platform)
    with TestClient(app) as client:
        city = build_city(platform, client)
        with platform.uow() as uow:
            platform.org.create_user(
                uow,
                SYSTEM,
                NewUser(username="adm", password=PASSWORD, display_name="adm", roles=["admin"]),
            )
        for area, category in [(GRID, LAMP), (OTHER_GRID, LAMP), (GRID, LAMP)]:
            case = city.create("op", area_code=area, category_code=category)
            city.act("disp", city.act("op", case, "register"), "dispatch")
        lon, lat = city.point_in(GRID)
        appeal = client.post(
            "/api/v1/portal/appeals",
            data={
                "appeal_type": "complaint",
                "description": "湖滨路口的路灯晚上不亮，已经三天了",
                "category_code": LAMP,
                "lon": str(lon),
                "lat": str(lat),
                "phone": PHONE,
            },
        )
        assert appeal.status_code == 201, appeal.text
        yield Target(platform, app, appeal.json()["tracking_code"])
    platform.close()


def _pools(target: Target) -> dict[str, list[Any]]:
    """Real values for the path parameters, so that the fuzzer reaches past "not found": the
    generated value is kept one time in four."""
    with target.platform.read() as s:
        case_ids = list(s.execute(select(cases.c.id)).scalars())
        numbers = list(s.execute(select(cases.c.number)).scalars())
    return {
        "case_id": case_ids,
        "fmt": ["json", "xml"],
        "code": [LAMP, LEAK, STREET, OTHER_STREET, GRID, target.tracking_code],
        "service_code": [LAMP, LEAK],
        "service_request_id": numbers,
        "user_id": [1, 2, 3],
        "department_id": [1, 2],
        "phone": [PHONE],
    }


def _steered(operation: Any, pools: dict[str, list[Any]]) -> st.SearchStrategy[Any]:
    def steer(drawn: tuple[Any, int]) -> Any:
        case, pick = drawn
        for name in list(case.path_parameters or {}):
            pool = pools.get(name)
            if pool and pick % 4:
                case.path_parameters[name] = pool[pick % len(pool)]
        return case

    return st.tuples(operation.as_strategy(), st.integers(0, 1_000)).map(steer)


def _explained(exc: BaseException) -> str:
    """The failure with its causes: hypothesis wraps a failure it could not reproduce (a flaky
    one) in a group whose members say what happened."""
    if isinstance(exc, BaseExceptionGroup):
        return f"{exc}: " + "; ".join(_explained(e) for e in exc.exceptions)
    return str(exc)


# An event stream answers for minutes by design (the browser keeps it open): a fuzzed request
# would wait out its timeout. Its refusals and scoping are tested in test_event_stream.py.
STREAMS = frozenset({"/api/v1/events"})


def _operations(app: FastAPI) -> list[Any]:
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in loaded.get_all_operations()]
    return [op for op in operations if op.path not in STREAMS]


def test_api_fuzz(target: Target) -> None:
    platform = target.platform

    def send(case: Any) -> None:
        for username in ACTORS:
            headers = {}
            if username:
                with platform.read() as s:  # a fresh token: the fuzzer may well sign out
                    token = platform.org.access_token_for_user(s, username).access_token
                headers = {"Authorization": f"Bearer {token}"}
            try:
                case.call_and_validate(headers=headers, checks=CHECKS, timeout=REQUEST_SECONDS)
            except Exception as exc:  # the request that broke it, to replay
                who = username or "anonymous"
                raise AssertionError(f"{who}: {case.as_curl_command()}\n{exc!r}") from exc

    pools = _pools(target)
    failures: list[str] = []
    for operation in _operations(target.app):

        @given(case=_steered(operation, pools))
        @settings(
            max_examples=FUZZ_EXAMPLES,
            derandomize=True,  # the same examples on every run
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: Any) -> None:
            send(case)

        try:
            fuzz()
        except Exception as exc:
            failures.append(f"{operation.label}: {_explained(exc)}")
    assert not failures, "\n\n".join(failures)
