"""Intake and workflow steps prepared on a read session and written later in a batch (the path
the busy endpoints take through the group-commit writer): the write meets whatever changed the
case since it was read."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import select

from cityops.cases.public import ActionCommand, CaseAction, CaseSource, CaseStatus, NewCase
from cityops.cases.store import case_history, cases
from cityops.infra.outbox import outbox
from cityops.kernel.actor import Actor
from cityops.kernel.errors import DomainError, StaleVersion

from .conftest import GRID, LAMP, City


def _actor(city: City, username: str) -> Actor:
    with city.platform.read() as s:
        return city.platform.org.actor_for_user(s, username)


def _new(i: int) -> NewCase:
    return NewCase(
        source=CaseSource.hotline,
        title=f"路灯不亮 {i}",
        description=f"第 {i} 盏路灯晚上不亮",
        category_code=LAMP,
        area_code=GRID,
        reporter_phone="13812345678",
    )


def _history(city: City, case_id: int) -> list[tuple[int, str]]:
    with city.platform.read() as s:
        rows = s.execute(
            select(case_history.c.seq, case_history.c.action)
            .where(case_history.c.case_id == case_id)
            .order_by(case_history.c.seq)
        ).all()
    return [(r.seq, r.action) for r in rows]


def test_prepared_cases_are_stored_together(city: City) -> None:
    p = city.platform
    op = _actor(city, "op")
    with p.read() as s:
        prepared = [p.cases.prepare_case(s, op, _new(i)) for i in range(3)]
    with p.uow() as uow:
        stored = p.cases.store_cases(uow, prepared)
    ids = [c.id for c in stored]
    assert ids == list(range(ids[0], ids[0] + 3))
    assert [c.number for c in stored] == [f"C20261123{i:06d}" for i in ids]
    assert [c.title for c in stored] == ["路灯不亮 0", "路灯不亮 1", "路灯不亮 2"]
    assert [c.status for c in stored] == [CaseStatus.reported] * 3
    views = [p.cases.present(pr, c) for pr, c in zip(prepared, stored, strict=True)]
    assert all(v.reporter_phone == "138****5678" for v in views)
    assert all(v.suggested_department and v.suggested_department.code == "CGJ" for v in views)
    for case_id in ids:
        assert _history(city, case_id) == [(1, "report")]
    with p.read() as s:
        reported = s.execute(
            select(outbox.c.payload).where(outbox.c.name == "case.reported").order_by(outbox.c.id)
        ).scalars()
        assert [payload["case_id"] for payload in reported] == ids
    # later intake continues after the allocated ids
    assert city.create()["id"] == ids[-1] + 1


def test_two_steps_prepared_on_one_version_in_one_batch(city: City) -> None:
    """Two dispatchers register the same case at once: the first wins, the second is stale and
    writes nothing."""
    p = city.platform
    case = city.create()
    first, second = _actor(city, "disp"), _actor(city, "disp2")
    cmd = ActionCommand(version=case["version"], note="立案")
    with p.read() as s:
        a = p.cases.prepare_action(s, first, case["id"], CaseAction.register, cmd)
        b = p.cases.prepare_action(s, second, case["id"], CaseAction.register, cmd)
    with p.uow() as uow:
        results = p.cases.store_actions(uow, [a, b])
    assert not isinstance(results[0], DomainError)
    assert results[0].status is CaseStatus.registered
    assert isinstance(results[1], StaleVersion)
    assert results[1].code == "stale_version"
    assert _history(city, case["id"]) == [(1, "report"), (2, "register")]
    assert city.get("boss", case["id"])["version"] == 2


def test_a_mark_between_prepare_and_write_is_kept(city: City) -> None:
    """Something that is no workflow step (here: revealing the contact, an audited line) changes
    the case after the step was prepared: the step is checked again inside the write and both
    survive, numbered in order."""
    p = city.platform
    case = city.create()
    op = _actor(city, "op")
    with p.read() as s:
        prepared = p.cases.prepare_action(
            s, op, case["id"], CaseAction.register, ActionCommand(version=1)
        )
    revealed = city.get("op", case["id"], reveal="contact")
    assert revealed["reporter_phone"] == "13812345678"
    with p.uow() as uow:
        (stored,) = p.cases.store_actions(uow, [prepared])
    assert not isinstance(stored, DomainError)
    assert (stored.status, stored.version, stored.history_seq) == (CaseStatus.registered, 2, 3)
    assert _history(city, case["id"]) == [(1, "report"), (2, "reveal_contact"), (3, "register")]


def test_a_refused_step_leaves_the_others_of_its_batch(city: City) -> None:
    p = city.platform
    one, two = city.create(), city.create()
    op = _actor(city, "op")
    with p.read() as s:
        ok = p.cases.prepare_action(s, op, one["id"], CaseAction.register, ActionCommand(1))
        stale = p.cases.prepare_action(s, op, two["id"], CaseAction.register, ActionCommand(1))
    city.act("op", two, "register")  # someone else registers the second first
    with p.uow() as uow:
        results = p.cases.store_actions(uow, [stale, ok])
    assert isinstance(results[0], StaleVersion)
    assert not isinstance(results[1], DomainError)
    assert _history(city, one["id"]) == [(1, "report"), (2, "register")]
    assert _history(city, two["id"]) == [(1, "report"), (2, "register")]


def test_concurrent_requests_through_the_writer(city: City) -> None:
    """Twenty intakes at once over HTTP, then the same register sent twice for each: every
    case is stored once with its history, and of each pair exactly one register wins."""

    def create(i: int) -> dict[str, Any]:
        return city.create(title=f"并发受理 {i}")

    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(create, range(20)))
    assert len({c["id"] for c in created}) == 20
    assert len({c["number"] for c in created}) == 20
    headers = city.auth("op")

    def register(c: dict[str, Any]) -> int:
        r = city.client.post(
            f"/api/v1/cases/{c['id']}/actions/register", json={"version": 1}, headers=headers
        )
        return r.status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(register, created + created))
    assert sorted(codes) == [200] * 20 + [409] * 20
    with city.platform.read() as s:
        ids = [c["id"] for c in created]
        versions = s.execute(select(cases.c.version).where(cases.c.id.in_(ids))).scalars()
        assert set(versions) == {2}
    for c in created:
        assert _history(city, c["id"]) == [(1, "report"), (2, "register")]


@pytest.mark.parametrize("action", [CaseAction.register, CaseAction.dispatch])
def test_prepare_refuses_before_writing(city: City, action: CaseAction) -> None:
    p = city.platform
    case = city.create()
    before = city.snapshot()
    with p.read() as s, pytest.raises(DomainError) as err:
        p.cases.prepare_action(s, _actor(city, "h_cgj"), case["id"], action, ActionCommand(1))
    assert err.value.code in {"action_not_allowed", "role_not_allowed", "permission_denied"}
    assert city.snapshot() == before
