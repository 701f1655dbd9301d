"""GET /api/v1/indicators/cases through the real app and the real case engine: window rules,
validation, who may see it, and the shape of the answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from role_header import acting_by_role_header

from cityops.app import Platform

URL = "/api/v1/indicators/cases"
RATE_KEYS = {
    "registration_rate",
    "dispatch_rate",
    "accurate_dispatch_rate",
    "on_time_handling_rate",
    "closure_rate",
    "on_time_closure_rate",
    "rework_rate",
    "extension_rate",
}


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    """The real app; the acting user's role is named by an X-Test-Role header."""
    with acting_by_role_header(platform) as client:
        yield client


def get(api: TestClient, role: str = "leader", **params: str) -> Any:
    return api.get(URL, params=params, headers={"X-Test-Role": role})


def test_empty_window_gives_zero_counts_and_null_rates(api: TestClient) -> None:
    r = get(api, group_by="area", **{"from": "2026-10-01", "to": "2026-10-31"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["from"], body["to"], body["group_by"]) == ("2026-10-01", "2026-10-31", "area")
    assert body["rows"] == []
    assert body["total"]["group_name"] == "合计"
    assert set(body["total"]["counts"].values()) == {0}
    assert body["total"]["rates"] == dict.fromkeys(RATE_KEYS)
    assert body["formulas"]["registration_rate"] == "立案数/受理数"
    assert body["formulas"]["rework_rate"] == "返工数/应结案数"
    assert set(body["formulas"]) == RATE_KEYS
    assert body["names"]["on_time_closure_rate"] == "按期结案率"


def test_default_window_is_this_month_so_far(api: TestClient) -> None:
    # the clock fixture stands at Monday 2026-11-23 09:00 Shanghai
    body = get(api).json()
    assert (body["from"], body["to"], body["group_by"]) == (
        "2026-11-01",
        "2026-11-23",
        "department",
    )


@pytest.mark.parametrize("group_by", ["department", "area", "district"])
def test_every_grouping_is_accepted(api: TestClient, group_by: str) -> None:
    r = get(api, group_by=group_by)
    assert r.status_code == 200
    assert r.json()["group_by"] == group_by


@pytest.mark.parametrize(
    ("params", "code", "word"),
    [
        ({"from": "2026-11-02", "to": "2026-11-01"}, "invalid_window", "after"),
        ({"from": "2026-13-01"}, "invalid_request", "from"),
        ({"to": "yesterday"}, "invalid_request", "to"),
        ({"group_by": "category"}, "invalid_request", "group_by"),
    ],
)
def test_bad_query_is_a_422_naming_the_problem(
    api: TestClient, params: dict[str, str], code: str, word: str
) -> None:
    r = get(api, **params)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == code
    assert word in error["message"]


@pytest.mark.parametrize("role", ["leader", "admin", "dispatcher", "shift_leader"])
def test_viewers(api: TestClient, role: str) -> None:
    assert get(api, role).status_code == 200


@pytest.mark.parametrize("role", ["operator", "handler", "inspector", "citizen", "integration"])
def test_other_roles_get_403(api: TestClient, role: str) -> None:
    r = get(api, role)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "indicators_forbidden"


def test_anonymous_gets_401(api: TestClient) -> None:
    assert api.get(URL).status_code == 401
