"""The hot reads run a fixed number of SQL statements, however many rows they read: the case list
and a case, Open311 requests and servicerequestupdates, and the indicators. Each is measured with
5 cases and again with 50 (each case with several steps, some merged into others, one through a
chain of two merges): the count must be the same, and under the ceiling written here (the count
measured when the test was written, on both databases). A query per row fails the first check;
an extra query per request fails the second."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from case_city import GRID, LAMP, City, build_city
from fastapi.testclient import TestClient
from query_count import Statements, count_statements

from cityops.app import Platform
from cityops.cases.public import ActionCommand, CaseAction, CaseSource, NewCase
from cityops.kernel.actor import Actor, Role

SMALL, LARGE = 5, 50
OPERATOR = Actor(user_id=None, username="t-op", roles=frozenset({Role.operator}))
DISPATCHER = Actor(user_id=None, username="t-disp", roles=frozenset({Role.dispatcher}))
# The statements each read runs, transaction control left out (measured on SQLite and
# PostgreSQL alike when this test was written; the token check is one of them on /api/v1).
CEILING = {
    "case list": 3,  # token, the list's stamp (count, latest update, highest id), page
    "case list sorted": 3,
    "case queue filters": 3,
    "visit queue": 3,
    "case detail": 2,  # token, case
    "open311 requests": 3,  # cases of the window, their merge chains, first photos
    "open311 requests by id": 2,  # cases by number, first photos (none is merged)
    "open311 request": 2,  # case by number, first photo
    "open311 updates": 2,  # lines of the window, merged cases with their merge lines
    "indicators by department": 2,  # token, one GROUP BY
    "indicators by area": 2,
    "three rates": 2,  # token, the visits of the month
}
# Reads whose answer does not change with more cases of this set (三率 counts 回访 visits,
# which it has none of): only the ceiling is checked.
SAME_ANSWER = {"three rates", "visit queue"}


@pytest.fixture
def city(platform: Platform, client: TestClient) -> City:
    return build_city(platform, client)


def _new_cases(platform: Platform, n: int) -> list[int]:
    """`n` cases reported at once (受理), in one transaction; their ids."""
    with platform.uow() as uow:
        prepared = [
            platform.cases.prepare_case(
                uow.session,
                OPERATOR,
                NewCase(
                    source=CaseSource.hotline,
                    title=f"路灯不亮 {i}",
                    description="湖滨路口的路灯晚上不亮，联系人张三",
                    category_code=LAMP,
                    area_code=GRID,
                    reporter_name="张三",
                    reporter_phone="13812345678",
                ),
            )
            for i in range(n)
        ]
        stored = platform.cases.store_cases(uow, prepared)
    return [case.id for case in stored]


def _act(platform: Platform, actor: Actor, case_id: int, action: str, **fields: Any) -> None:
    with platform.uow() as uow:
        case = platform.cases.get_case(uow.session, actor, case_id)
        platform.cases.act(
            uow, actor, case_id, CaseAction(action), ActionCommand(version=case.version, **fields)
        )


def _grow(platform: Platform, n: int) -> list[int]:
    """`n` cases registered and dispatched (three history lines each), and n // 5 more cases
    merged into them, one of those through a chain of two merges; the dispatched ones' ids."""
    ids = _new_cases(platform, n)
    for case_id in ids:
        _act(platform, OPERATOR, case_id, "register")
        _act(platform, DISPATCHER, case_id, "dispatch")
    *duplicates, middle = _new_cases(platform, n // 5 + 1)
    for i, duplicate in enumerate(duplicates):
        into = middle if i == 0 else ids[i % len(ids)]
        _act(platform, DISPATCHER, duplicate, "merge", into_case_id=into, reason="同一路灯")
    _act(platform, DISPATCHER, middle, "merge", into_case_id=ids[0], reason="同一路灯")
    return ids


def _get(city: City, url: str, user: str | None = None) -> Callable[[], Any]:
    """A read of `url` (as `user`, signed in before the counting starts) that must answer 200."""
    headers = city.auth(user) if user else {}

    def read() -> Any:
        r = city.client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        return r.json()

    return read


READS: dict[str, Callable[[City, list[int]], Callable[[], Any]]] = {
    "case list": lambda c, ids: _get(c, "/api/v1/cases?size=200", "disp"),
    "case list sorted": lambda c, ids: _get(
        c, "/api/v1/cases?size=200&sort=reported_at&order=desc", "disp"
    ),
    "case queue filters": lambda c, ids: _get(
        c, "/api/v1/cases?size=200&returned=false&reworked=false&sla=green", "disp"
    ),
    "visit queue": lambda c, ids: _get(c, "/api/v1/cases?size=200&visit=due", "op"),
    "case detail": lambda c, ids: _get(c, f"/api/v1/cases/{ids[-1]}", "disp"),
    "open311 requests": lambda c, ids: _get(c, "/open311/v2/requests.json"),
    "open311 requests by id": lambda c, ids: _get(
        c, "/open311/v2/requests.json?service_request_id=" + ",".join(_numbers(c, ids))
    ),
    "open311 request": lambda c, ids: _get(
        c, f"/open311/v2/requests/{_numbers(c, ids[-1:])[0]}.json"
    ),
    "open311 updates": lambda c, ids: _get(c, "/open311/v2/servicerequestupdates.json"),
    "indicators by department": lambda c, ids: _get(c, "/api/v1/indicators/cases", "boss"),
    "indicators by area": lambda c, ids: _get(c, "/api/v1/indicators/cases?group_by=area", "boss"),
    "three rates": lambda c, ids: _get(c, "/api/v1/indicators/three-rates", "boss"),
}


def _numbers(city: City, ids: list[int]) -> list[str]:
    with city.platform.read() as s:
        found = city.platform.cases.get_cases(s, OPERATOR, ids)
    return [found[i].number for i in ids]


def _measure(city: City, read: Callable[[], Any]) -> tuple[Statements, Any]:
    read()  # warm caches that a first request fills once (reference data, compiled statements)
    with count_statements(city.platform.engine) as ran:
        body = read()
    return ran, body


@pytest.mark.parametrize("name", list(READS))
def test_a_hot_read_runs_as_many_statements_for_50_cases_as_for_5(city: City, name: str) -> None:
    ids = _grow(city.platform, SMALL)
    small, small_body = _measure(city, READS[name](city, ids))
    ids += _grow(city.platform, LARGE - SMALL)
    large, large_body = _measure(city, READS[name](city, ids))

    if name not in SAME_ANSWER:
        assert small_body != large_body  # the second read saw the larger set
    assert large.count == small.count, f"{SMALL} cases:\n{small}\n{LARGE} cases:\n{large}"
    assert large.count <= CEILING[name], f"{name}: {large.count} statements\n{large}"
