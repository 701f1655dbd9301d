"""The workbench's queues over the case list API: 待回访 (visit=due) lists exactly the cases that
need a call, extension=pending the 延期申请 awaiting a shift leader, returned / reworked the cases
sent back, sla=yellow|red the clocks about to run out or run out; `sort` orders a page by a
column with the case id as tie-break, and the list answers 304 to a poll while nothing changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from query_count import count_statements

from cityops.cases.model import CaseSource, CaseStatus, needs_visit
from cityops.cases.public import CaseFilter
from cityops.cases.queries import case_page
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock

from .conftest import LEAK, City


def _ids(city: City, user: str, **params: Any) -> list[int]:
    r = city.client.get("/api/v1/cases", params={"size": 200, **params}, headers=city.auth(user))
    assert r.status_code == 200, r.text
    body = r.json()
    if "size" not in params:  # one page holds them all
        assert body["total"] == len(body["items"])
    return [c["id"] for c in body["items"]]


def _closed(city: City, **fields: Any) -> dict[str, Any]:
    return city.act("disp", city.to_handled(city.create(**fields)), "verify", passed=True)


def test_the_visit_queue_lists_exactly_the_cases_that_need_a_call(city: City) -> None:
    due = _closed(city)  # hotline, with a phone
    web = _closed(city, source="web", reporter_phone="0571-87654321")
    missed = city.act("op", _closed(city), "evaluate", contacted=False)  # nobody answered
    evaluated = city.act(
        "op", _closed(city), "evaluate", contacted=True, resolved=True, satisfaction="satisfied"
    )
    no_phone = _closed(city, reporter_phone=None, reporter_name=None)
    self_found = city.act(
        "insp",
        city.create(user="insp", source="inspector"),
        "self_handle",
        note="已当场处置",
        photos=["/media/2026/11/selfhandled-00000001.jpg"],
    )
    open_case = city.create()

    expected = {due["id"], web["id"], missed["id"]}
    assert set(_ids(city, "op", visit="due")) == expected
    # the rule in Python (model.needs_visit) says the same of every case
    with city.platform.read() as s:
        records, _ = case_page(s, SYSTEM, CaseFilter(), 1, 100)
    judged = {
        r.id
        for r in records
        if needs_visit(
            status=CaseStatus(r.status),
            source=CaseSource(r.source),
            reporter_phone=r.reporter_phone,
            evaluated_at=r.evaluated_at,
            merged_into_id=r.merged_into_id,
        )
    }
    assert judged == expected
    others = {evaluated["id"], no_phone["id"], self_found["id"], open_case["id"]}
    assert others.isdisjoint(judged)
    # the evaluate of the last one takes it off the queue
    city.act("op", web, "evaluate", contacted=True, resolved=True, satisfaction="satisfied")
    assert set(_ids(city, "op", visit="due")) == {due["id"], missed["id"]}


def _in_progress(city: City) -> dict[str, Any]:
    case = city.act("disp", city.act("op", city.create(), "register"), "dispatch")
    return city.act("h_cgj", case, "sign")


def test_pending_extensions_are_the_shift_leaders_queue(city: City) -> None:
    asked = city.act(
        "h_cgj", _in_progress(city), "request_extension", amount=3, unit="working_days", reason="等"
    )
    _in_progress(city)
    assert _ids(city, "lead", extension="pending") == [asked["id"]]
    assert _ids(city, "h_cgj", extension="pending") == [asked["id"]]
    city.act("lead", asked, "approve_extension")
    assert _ids(city, "lead", extension="pending") == []


def test_returned_and_reworked_cases(city: City) -> None:
    plain = _in_progress(city)
    back = city.act("h_cgj", _in_progress(city), "return", reason="不属于本单位")
    redispatched = city.act("h_cgj", city.act("disp", back, "dispatch"), "sign")
    reworked = city.act("insp", city.to_handled(city.create()), "verify", passed=False)
    assert _ids(city, "disp", returned=True) == [redispatched["id"]]
    assert _ids(city, "h_cgj", reworked=True) == [reworked["id"]]
    assert set(_ids(city, "h_cgj", reworked=False, status="in_progress")) == {
        plain["id"],
        redispatched["id"],
    }


def test_sla_yellow_and_red(city: City, clock: FixedClock) -> None:
    early = city.create()  # Monday 09:00: register within 1 working hour
    clock.advance(timedelta(minutes=50))  # 50 of 60 minutes used
    late = city.create()
    city.platform.scheduler.run_all_once()
    city.platform.relay.drain()
    assert _ids(city, "op", sla="yellow") == [early["id"]]
    assert _ids(city, "op", sla="green") == [late["id"]]
    assert _ids(city, "op", sla="red") == []
    clock.advance(timedelta(minutes=15))  # past the first deadline, before any scan
    assert _ids(city, "op", sla="red") == [early["id"]]
    assert _ids(city, "op", sla="yellow") == []


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"visit": "soon"}, "visit"),
        ({"extension": "approved"}, "extension"),
        ({"sla": "purple"}, "sla"),
        ({"returned": "maybe"}, "returned"),
        ({"sort": "title"}, "sort"),
        ({"sort": "number", "order": "up"}, "order"),
    ],
)
def test_a_bad_queue_parameter_is_a_422_naming_it(
    city: City, params: dict[str, str], name: str
) -> None:
    r = city.client.get("/api/v1/cases", params=params, headers=city.auth("op"))
    assert r.status_code == 422, r.text
    assert name in r.text


def test_sort_by_each_column_with_the_id_as_tie_break(city: City, clock: FixedClock) -> None:
    made = []
    for i in range(3):
        made.append(city.create(title=f"路灯 {i}"))
        clock.advance(timedelta(minutes=1))
    leak = city.create(category_code=LEAK)  # urgent, calendar hours
    made.append(leak)
    registered = city.act("op", made[1], "register")
    by_time = [c["id"] for c in made]

    assert _ids(city, "op", sort="reported_at") == by_time
    assert _ids(city, "op", sort="reported_at", order="desc") == by_time[::-1]
    numbers = sorted(made, key=lambda c: c["number"])
    assert _ids(city, "op", sort="number") == [c["id"] for c in numbers]
    # urgency: the three normal ones by id, then the urgent leak; descending turns both
    assert _ids(city, "op", sort="urgency") == [*by_time[:3], leak["id"]]
    assert _ids(city, "op", sort="urgency", order="desc") == [leak["id"], *by_time[:3][::-1]]
    assert _ids(city, "op", sort="status") == [
        registered["id"],
        *[i for i in by_time if i != registered["id"]],
    ]
    assert _ids(city, "op", sort="category", order="desc") == [leak["id"], *by_time[:3][::-1]]
    # the stage deadlines: 10:00 and 10:02 (register within an hour of 09:00 and 09:02), the
    # registered one's dispatch hour from 09:03, the leak's two calendar hours from 09:03
    r = city.client.get("/api/v1/cases", params={"sort": "stage_deadline"}, headers=city.auth("op"))
    deadlines = [(c["stage_deadline"], c["id"]) for c in r.json()["items"]]
    assert deadlines == sorted(deadlines)
    assert [i for _, i in deadlines] == [by_time[0], by_time[2], registered["id"], leak["id"]]
    # pages of one row walk the whole order once
    walked = [
        _ids(city, "op", sort="urgency", order="desc", page=p, size=1)[0] for p in range(1, 5)
    ]
    assert walked == [leak["id"], *by_time[:3][::-1]]


def test_a_poll_is_told_304_while_nothing_changed(city: City, clock: FixedClock) -> None:
    city.create()
    headers = city.auth("op")
    first = city.client.get("/api/v1/cases", params={"status": "reported"}, headers=headers)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = city.client.get(
        "/api/v1/cases", params={"status": "reported"}, headers={**headers, "If-None-Match": etag}
    )
    assert (again.status_code, again.content) == (304, b"")
    new = city.create()
    after = city.client.get(
        "/api/v1/cases", params={"status": "reported"}, headers={**headers, "If-None-Match": etag}
    )
    assert after.status_code == 200
    assert new["id"] in [c["id"] for c in after.json()["items"]]
    # another user's poll of the same URL does not match the first user's tag
    other = city.client.get(
        "/api/v1/cases",
        params={"status": "reported"},
        headers={**city.auth("disp"), "If-None-Match": after.headers["etag"]},
    )
    assert other.status_code == 200
    # the SLA colours move with the clock alone: the tag turns within a minute
    clock.advance(timedelta(minutes=1))
    later = city.client.get(
        "/api/v1/cases",
        params={"status": "reported"},
        headers={**headers, "If-None-Match": after.headers["etag"]},
    )
    assert later.status_code == 200


def test_a_poll_answered_304_runs_two_statements(city: City) -> None:
    for _ in range(5):
        city.create()
    headers = city.auth("op")
    etag = city.client.get("/api/v1/cases", headers=headers).headers["etag"]
    with count_statements(city.platform.engine) as ran:
        r = city.client.get("/api/v1/cases", headers={**headers, "If-None-Match": etag})
    assert r.status_code == 304
    assert ran.count == 2, str(ran)  # the token, the list's stamp


def test_mine_lists_the_cases_the_user_reported(city: City) -> None:
    own = city.create(user="insp", source="inspector")
    city.create(user="op", source="inspector")
    assert _ids(city, "insp", mine=True) == [own["id"]]
    assert len(_ids(city, "insp")) == 2
