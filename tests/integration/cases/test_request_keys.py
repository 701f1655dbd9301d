"""Idempotency keys on intake and the workflow actions (kernel/request_keys.py): a write sent
again with its `Idempotency-Key` — the inspector's app replays its offline outbox — writes
nothing and is answered with the case it wrote; another key is another write; the same key
with another body, another action or on another case is a 422 saying so; keys are per
account. On SQLite and PostgreSQL, over HTTP and through the writer's batches."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from cityops.app import Platform
from cityops.cases.public import CaseSource, NewCase
from cityops.cases.request_keys import case_request_keys
from cityops.cases.store import case_history, cases
from cityops.cases.workflow.closing import VerifyBody
from cityops.kernel.request_keys import request_key
from cityops.web.api.cases import CaseCreate

from .conftest import GRID, LAMP, City

KEY = "0b6c3c8e-4f5e-4a53-9d7c-2f1f9a3e0a11"


def _report(city: City, **fields: Any) -> dict[str, Any]:
    lon, lat = city.point_in(GRID)
    body = {
        "source": "inspector",
        "title": "井盖缺失",
        "description": "人行道井盖缺失",
        "category_code": LAMP,
        "lon": lon,
        "lat": lat,
        "photos": ["/media/2026/11/Qm9uam91ci1sYW1wLTE.jpg"],
    }
    body.update(fields)
    return body


def _post(city: City, body: dict[str, Any], key: str | None, user: str = "insp") -> Any:
    headers = city.auth(user)
    if key is not None:
        headers["Idempotency-Key"] = key
    return city.client.post("/api/v1/cases", json=body, headers=headers)


def _count(city: City, table: Any) -> int:
    with city.platform.read() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_replayed_report_returns_the_case_it_wrote(city: City) -> None:
    body = _report(city)
    first = _post(city, body, KEY)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    before = city.snapshot()
    again = _post(city, body, KEY)
    assert again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["number"] == first.json()["number"]
    assert city.snapshot() == before  # no case, no history line, no version moved
    history = city.history("insp", first.json()["id"])
    assert [h["action"] for h in history] == ["report"]
    assert history[0]["attachments"] == body["photos"]


def test_another_key_is_another_case_and_no_key_is_never_a_replay(city: City) -> None:
    body = _report(city)
    ids = {
        _post(city, body, KEY).json()["id"],
        _post(city, body, "another-key-0001").json()["id"],
        _post(city, body, None).json()["id"],
        _post(city, body, None).json()["id"],
    }
    assert len(ids) == 4


def test_keys_are_per_account(city: City) -> None:
    mine = _post(city, _report(city), KEY, user="insp")
    theirs = _post(city, _report(city, source="hotline"), KEY, user="op")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_the_same_key_with_another_body_is_refused(city: City) -> None:
    assert _post(city, _report(city), KEY).status_code == 201
    before = city.snapshot()
    r = _post(city, _report(city, description="另一处井盖缺失"), KEY)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert KEY in error["message"]
    assert city.snapshot() == before


@pytest.mark.parametrize(
    "key", ["short", "has space in it", "x" * 65, "key/with/slashes", "x" * 300]
)
def test_a_malformed_key_is_refused(city: City, key: str) -> None:
    before = city.snapshot()
    r = _post(city, _report(city), key)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "bad_idempotency_key"
    assert city.snapshot() == before


def _act(city: City, user: str, case: dict[str, Any], action: str, key: str | None, **f: Any):  # type: ignore[no-untyped-def]
    headers = city.auth(user)
    if key is not None:
        headers["Idempotency-Key"] = key
    body = {"version": case["version"], **f}
    return city.client.post(
        f"/api/v1/cases/{case['id']}/actions/{action}", json=body, headers=headers
    )


def test_a_replayed_verify_is_applied_once_even_after_the_version_moved(city: City) -> None:
    handled = city.to_handled(city.create())
    first = _act(city, "insp", handled, "verify", KEY, passed=True, note="已修复")
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "closed"
    before = city.snapshot()
    # the answer was lost; the phone sends it again with the version it saw then
    again = _act(city, "insp", handled, "verify", KEY, passed=True, note="已修复")
    assert again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["version"] == first.json()["version"]
    assert city.snapshot() == before
    verifies = [h for h in city.history("insp", handled["id"]) if h["action"] == "verify"]
    assert len(verifies) == 1


def test_a_step_someone_else_took_meanwhile_is_a_conflict(city: City) -> None:
    handled = city.to_handled(city.create())
    assert _act(city, "disp", handled, "verify", None, passed=True).status_code == 200
    r = _act(city, "insp", handled, "verify", KEY, passed=False, note="仍未修复")
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] in {"stale_version", "invalid_transition"}
    assert _count(city, case_request_keys) == 0


@pytest.mark.parametrize("other", ["another action", "another case", "intake"])
def test_a_key_names_one_request(city: City, other: str) -> None:
    handled = city.to_handled(city.create())
    assert _act(city, "insp", handled, "verify", KEY, passed=True).status_code == 200
    before = city.snapshot()
    if other == "intake":
        r = _post(city, _report(city), KEY)
    elif other == "another case":
        second = city.to_handled(city.create())
        before = city.snapshot()
        r = _act(city, "insp", second, "verify", KEY, passed=True)
    else:
        r = _act(city, "insp", handled, "verify", KEY, passed=False, note="x")
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "idempotency_key_reused"
    assert city.snapshot() == before


def test_one_batch_holding_a_request_twice_writes_it_once(platform: Platform, city: City) -> None:
    """Two requests with one key that reach the writer in one batch: the first writes, the
    second's place holds that case."""
    body = _report(city)
    cmd = NewCase(
        source=CaseSource.inspector,
        title=body["title"],
        description=body["description"],
        category_code=body["category_code"],
        lon=body["lon"],
        lat=body["lat"],
        photos=tuple(body["photos"]),
    )
    key = request_key(KEY, "intake", CaseCreate(**body).model_dump(mode="json"))
    with platform.read() as s:
        actor = platform.org.actor_for_user(s, "insp")
        prepared = [platform.cases.prepare_case(s, actor, cmd, request_key=key) for _ in range(2)]
    with platform.uow() as uow:
        one, two = platform.cases.store_cases(uow, prepared)
    assert one.id == two.id
    assert _count(city, cases) == 1
    assert _count(city, case_history) == 1
    assert _count(city, case_request_keys) == 1
    # and a later request with the key is a replay of that case
    again = _post(city, body, KEY)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == one.id


def test_one_batch_holding_a_step_twice_applies_it_once(platform: Platform, city: City) -> None:
    handled = city.to_handled(city.create())
    verify = VerifyBody(version=handled["version"], passed=True, note="已修复")
    sent = {"case_id": handled["id"], **verify.model_dump(mode="json")}
    key = request_key(KEY, "action:verify", sent)
    with platform.read() as s:
        actor = platform.org.actor_for_user(s, "insp")
        prepared = [
            platform.cases.prepare_action(
                s, actor, handled["id"], "verify", verify, request_key=key
            )
            for _ in range(2)
        ]
    with platform.uow() as uow:
        one, two = platform.cases.store_actions(uow, prepared)
    assert not isinstance(one, Exception)
    assert not isinstance(two, Exception)
    assert one.id == two.id == handled["id"]
    verifies = [h for h in city.history("insp", handled["id"]) if h["action"] == "verify"]
    assert len(verifies) == 1
    assert _count(city, case_request_keys) == 1
    again = _act(city, "insp", handled, "verify", KEY, passed=True, note="已修复")
    assert again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
