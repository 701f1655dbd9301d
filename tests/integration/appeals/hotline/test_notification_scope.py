"""The notification outbox is read through the case scope: an account bound to a street lists
only the messages of its street's cases, and `?case_id=` of a case it cannot see is the 404 that
`GET /cases/{id}` gives; handlers and inspectors, who may not read the outbox, are refused
either way. The list runs a fixed number of statements, however many cases are in scope."""

from __future__ import annotations

from typing import Any

import pytest
from case_city import GRID, OTHER_GRID, PASSWORD
from query_count import count_statements

from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser

from .conftest import City

BOUND = {  # city-wide roles narrowed to one street
    "op_east": ("operator", GRID[:9]),
    "disp_west": ("dispatcher", OTHER_GRID[:9]),
}


@pytest.fixture
def scoped(city: City) -> City:
    with city.platform.uow() as uow:
        for username, (role, street) in BOUND.items():
            city.platform.org.create_user(
                uow,
                SYSTEM,
                NewUser(
                    username=username,
                    password=PASSWORD,
                    display_name=username,
                    roles=(role,),
                    area_codes=(street,),
                ),
            )
    return city


def _call_in(city: City, grid: str, phone: str) -> dict[str, Any]:
    lon, lat = city.point_in(grid)
    case: dict[str, Any] = city.call(phone=phone, lon=lon, lat=lat)["case"]
    return case


def _outbox(city: City, user: str, expect: int = 200, **params: Any) -> Any:
    r = city.client.get("/api/v1/notifications", params=params, headers=city.auth(user))
    assert r.status_code == expect, r.text
    return r.json()


def test_a_street_bound_account_reads_only_its_streets_messages(scoped: City) -> None:
    east = _call_in(scoped, GRID, "13900000001")
    west = _call_in(scoped, OTHER_GRID, "13900000002")
    scoped.platform.relay.drain()
    everyone = {n["case_id"] for n in _outbox(scoped, "op", size=200)["items"]}
    assert everyone == {east["id"], west["id"]}
    for user, mine, other in [("op_east", east, west), ("disp_west", west, east)]:
        page = _outbox(scoped, user, size=200)
        assert {n["case_id"] for n in page["items"]} == {mine["id"]}
        assert page["total"] == len(page["items"])
        assert _outbox(scoped, user, case_id=mine["id"])["total"] == 1
        # the other street's case: hidden as the case itself is
        scoped.get(user, other["id"], expect=404)
        refused = _outbox(scoped, user, expect=404, case_id=other["id"])
        assert refused["error"]["code"] == "case_not_found"


@pytest.mark.parametrize("user", ["h_cgj", "h_street", "insp"])
def test_handlers_and_inspectors_may_not_read_the_outbox(scoped: City, user: str) -> None:
    case = _call_in(scoped, GRID, "13900000001")
    case = scoped.act("disp", scoped.act("op", case, "register"), "dispatch")
    scoped.platform.relay.drain()
    scoped.get(user, case["id"])  # in their scope …
    for params in ({}, {"case_id": case["id"]}):  # … yet not their outbox
        refused = _outbox(scoped, user, expect=403, **params)
        assert refused["error"]["code"] == "cannot_read_notifications"


def test_the_scoped_list_runs_a_fixed_number_of_statements(scoped: City) -> None:
    counts = []
    for n in (2, 8):
        while len(_outbox(scoped, "op_east", size=200)["items"]) < n:
            _call_in(scoped, GRID, f"1390000{len(counts)}{n:03d}")
            _call_in(scoped, OTHER_GRID, f"1370000{len(counts)}{n:03d}")
            scoped.platform.relay.drain()
        headers = scoped.auth("op_east")
        with count_statements(scoped.platform.engine) as ran:
            r = scoped.client.get("/api/v1/notifications?size=200", headers=headers)
        assert r.status_code == 200, r.text
        counts.append(ran.count)
    assert counts[0] == counts[1] <= 3, counts  # token, count, page
