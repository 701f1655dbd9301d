"""An export that fails half-way leaves every pooled connection clean: what is written after it
is read by the next request, and writes go on (SQLite once answered "database is locked" and
served old snapshots: a new user was refused with the right password on some sign-ins)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest

from cityops.app import build_platform
from cityops.cases import export, queries
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser

from .conftest import PASSWORD, City


def _break_exports_after_the_first_row(
    city: City, monkeypatch: pytest.MonkeyPatch, held: list[Iterator[object]]
) -> None:
    # rows are read one per fetch, so the read is unfinished when the writer fails on a row
    monkeypatch.setattr(queries, "iter_cases", partial(queries.iter_cases, batch=1))

    def row_of(_case: object) -> list[object]:
        raise RuntimeError("the writer failed on a row")

    monkeypatch.setattr(export, "row_of", row_of)
    # the unfinished read stays referenced after the request, as it does in a server while a
    # log handler or a reference cycle holds the failure's frames
    handed_out = city.platform.cases.iter_cases

    def iter_cases(*args: object) -> Iterator[object]:
        cases = handed_out(*args)  # type: ignore[arg-type]
        held.append(cases)
        return cases

    monkeypatch.setattr(city.platform.cases, "iter_cases", iter_cases)


def test_a_failed_export_leaves_the_pool_clean(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        city.create()
    held: list[Iterator[object]] = []
    _break_exports_after_the_first_row(city, monkeypatch, held)
    with pytest.raises(RuntimeError, match="the writer failed"):
        city.client.get(
            "/api/v1/cases/export", params={"format": "xlsx"}, headers=city.auth("disp")
        )
    monkeypatch.undo()

    # meanwhile another server process (a second worker on the same database) adds a user
    other = build_platform(city.platform.settings, clock=city.platform.clock, migrate=False)
    try:
        with other.uow() as uow:
            other.org.create_user(
                uow,
                SYSTEM,
                NewUser(username="newcomer", password=PASSWORD, roles=["operator"]),
            )
    finally:
        other.close()
    form = {"username": "newcomer", "password": PASSWORD}
    answers = [city.client.post("/api/v1/auth/token", data=form).status_code for _ in range(5)]
    assert answers == [200] * 5

    case = city.create(title="导出失败之后")
    assert city.get("disp", case["id"])["title"] == "导出失败之后"
    r = city.client.get(
        "/api/v1/cases/export", params={"format": "xlsx"}, headers=city.auth("disp")
    )
    assert r.status_code == 200
    assert held  # the failed read was still referenced all along
