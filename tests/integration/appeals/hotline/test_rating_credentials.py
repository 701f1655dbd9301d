"""The tracking code is the citizen's credential: it reads the case on the portal and gives the
citizen's own rating, which the satisfaction figures count. So no staff API shows it (every
role), the public rating refuses a request that carries a staff token, and every rating says how
it was given: the citizen on the portal (a keyed hash of the client address, never the address)
or a staff member's 回访 (follow-up visit) recording the citizen's answer, with who recorded it."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from alembic import command
from case_city import PASSWORD, USERS
from sqlalchemy import select, text
from visits import UNSATISFIED_REOPEN

from cityops.appeals.followup.store import followup_visits
from cityops.appeals.notify.store import notifications
from cityops.appeals.portal.store import portal_ratings
from cityops.cases.store import cases
from cityops.infra.migrate import alembic_config, upgrade
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser

from .conftest import CALLER, City

STAFF = sorted({*USERS, "hot", "adm"} - {"cit"})


def _code(city: City, case_id: int) -> str:
    with city.platform.read() as s:
        return str(s.execute(select(cases.c.tracking_code).where(cases.c.id == case_id)).scalar())


def _closed(city: City) -> dict[str, Any]:
    """A hotline case taken to 办结 (closed) through the API, its messages sent."""
    case = city.call()["case"]
    case = city.act("disp", city.to_handled(case), "verify", passed=True)
    assert case["status"] == "closed"
    city.platform.relay.drain()
    return case


def _rate(city: City, code: str, headers: dict[str, str] | None = None, **body: Any) -> Any:
    return city.client.post(
        f"/api/v1/portal/track/{code}/rating",
        json={"satisfaction": "satisfied", **body},
        headers=headers or {},
    )


def test_no_staff_api_shows_the_tracking_code(city: City) -> None:
    taken = city.client.post(
        "/api/v1/hotline/calls",
        json={
            "phone": CALLER,
            "appeal_type": "help",
            "text": "湖滨路口的路灯晚上不亮，行人看不清路",
            "category_code": "E9001",
            "lon": city.lon,
            "lat": city.lat,
        },
        headers=city.auth("hot"),
    )
    assert taken.status_code == 201, taken.text
    case_id = taken.json()["case"]["id"]
    code = _code(city, case_id)
    assert code not in taken.text
    case = city.act("disp", city.to_handled(taken.json()["case"]), "verify", passed=True)
    city.platform.relay.drain()
    with city.platform.read() as s:  # the SMS itself carries it: that is how the caller gets it
        sent = s.scalars(select(notifications.c.message).where(notifications.c.case_id == case_id))
        assert any(code in m for m in sent)
    reads = [
        f"/api/v1/cases/{case_id}",
        "/api/v1/cases?size=200",
        f"/api/v1/cases/{case_id}/history",
        "/api/v1/cases/export",
        f"/api/v1/hotline/callers/{CALLER}/appeals",
        "/api/v1/notifications?size=200",
        f"/api/v1/notifications?case_id={case_id}",
    ]
    seen = 0
    for user in STAFF:
        headers = city.auth(user)
        for path in reads:
            r = city.client.get(path, headers=headers)
            assert code not in r.text, (user, path)
            seen += r.status_code == 200 and str(case["number"]) in r.text
    assert seen > len(STAFF)  # the case itself was shown, without its code


@pytest.mark.parametrize("user", STAFF)
def test_the_public_rating_refuses_a_staff_token(city: City, user: str) -> None:
    case = _closed(city)
    code = _code(city, case["id"])
    r = _rate(city, code, city.auth(user))
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "staff_cannot_rate"
    assert city.get("op", case["id"])["evaluated_at"] is None
    r = _rate(city, code, satisfaction="unsatisfied")  # the citizen's own word still counts
    assert r.status_code == 200, r.text
    assert r.json()["reopened"] is True


def test_the_citizens_rating_records_its_channel_not_the_address(city: City) -> None:
    case = _closed(city)
    assert _rate(city, _code(city, case["id"])).status_code == 200
    city.platform.relay.drain()
    with city.platform.read() as s:
        rating = s.execute(select(portal_ratings)).mappings().one()
        visit = s.execute(select(followup_visits)).mappings().one()
    assert rating["channel"] == "portal"
    client = "testclient"  # the address Starlette's test client sends from
    assert len(rating["client_hash"]) == 32
    assert client not in rating["client_hash"]
    assert rating["client_hash"] not in hashlib.sha256(client.encode()).hexdigest()  # keyed
    assert (visit["channel"], visit["recorded_by_user_id"], visit["recorded_by"]) == (
        "portal",
        None,
        "portal",
    )
    history = city.history("op", case["id"])[-1]
    assert (history["action"], history["actor_user_id"]) == ("evaluate", None)


def test_a_second_rating_of_the_citizen_is_refused_as_theirs(city: City) -> None:
    code = _code(city, _closed(city)["id"])
    assert _rate(city, code).status_code == 200
    r = _rate(city, code, satisfaction="unsatisfied")
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert (error["code"], error["details"]) == ("already_rated", {"channel": "portal"})


def test_two_ratings_from_one_address_share_a_hash(city: City) -> None:
    first, second = _closed(city), _closed(city)
    for case in (first, second):
        assert _rate(city, _code(city, case["id"])).status_code == 200
    with city.platform.read() as s:
        hashes = s.scalars(select(portal_ratings.c.client_hash)).all()
    assert len(hashes) == 2
    assert hashes[0] == hashes[1]


def test_a_follow_up_visit_records_who_recorded_the_answer(city: City) -> None:
    case = _closed(city)
    satisfied = {**UNSATISFIED_REOPEN, "resolved": True, "satisfaction": "satisfied"}
    city.act("op", case, "evaluate", **{**satisfied, "reopen": False})
    city.platform.relay.drain()
    with city.platform.read() as s:
        visit = s.execute(select(followup_visits)).mappings().one()
        op_id = city.platform.org.actor_for_user(s, "op").user_id
    assert (visit["channel"], visit["recorded_by_user_id"], visit["recorded_by"]) == (
        "followup",
        op_id,
        "op",
    )
    # the citizen who disagrees is told how the rating was taken and where to correct it
    r = _rate(city, _code(city, case["id"]), satisfaction="unsatisfied")
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert (error["code"], error["details"]) == ("already_rated", {"channel": "followup"})
    assert "12345" in error["message"]


def test_migration_0019_fills_in_the_visits_recorded_before_it(city: City) -> None:
    by_citizen, by_staff = _closed(city), _closed(city)
    assert _rate(city, _code(city, by_citizen["id"])).status_code == 200
    satisfied = {**UNSATISFIED_REOPEN, "resolved": True, "satisfaction": "satisfied"}
    city.act("op", by_staff, "evaluate", **{**satisfied, "reopen": False})
    city.platform.relay.drain()
    url, engine = city.platform.settings.database_url, city.platform.engine
    with engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0018")
        assert "channel" not in list(conn.execute(text("SELECT * FROM followup_visits")).keys())
    upgrade(url, engine)
    with city.platform.read() as s:
        op_id = city.platform.org.actor_for_user(s, "op").user_id
        visits = s.execute(
            select(
                followup_visits.c.case_id,
                followup_visits.c.channel,
                followup_visits.c.recorded_by_user_id,
            ).order_by(followup_visits.c.case_id)
        ).all()
        ratings = s.execute(select(portal_ratings.c.channel, portal_ratings.c.client_hash)).all()
    assert [tuple(v) for v in visits] == [
        (by_citizen["id"], "portal", None),
        (by_staff["id"], "followup", op_id),
    ]
    assert [tuple(r) for r in ratings] == [("portal", None)]  # the address was never kept


def test_a_citizen_account_may_rate_but_not_one_that_also_holds_a_staff_role(city: City) -> None:
    case = _closed(city)
    with city.platform.uow() as uow:
        city.platform.org.create_user(
            uow,
            SYSTEM,
            NewUser(
                username="cit_op",
                password=PASSWORD,
                display_name="cit_op",
                roles=("citizen", "operator"),
            ),
        )
    r = _rate(city, _code(city, case["id"]), city.auth("cit_op"))
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "staff_cannot_rate"
    assert _rate(city, _code(city, case["id"]), city.auth("cit")).status_code == 200
