"""The public board's 满意率 is the 三率's: computed from the month's follow-up visits with the
configured weight of 基本满意, so the board and /api/v1/indicators/three-rates agree for the same
month and grouping — an unsatisfied rating that reopened its case still counts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.integration.appeals.portal.conftest import Portal

from cityops.infra.settings import Settings

BASIC_WEIGHT = 0.6


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="test",
        database_url=db_url,
        router_model_dir=tmp_path / "no-model",
        three_rates_basic_weight=BASIC_WEIGHT,
    )


def _rated(portal: Portal, satisfaction: str) -> None:
    portal.platform.clock.advance(timedelta(minutes=1))  # within the portal's allowance
    code = portal.submit()["tracking_code"]
    portal.close(code)
    r = portal.client.post(
        f"/api/v1/portal/track/{code}/rating", json={"satisfaction": satisfaction}
    )
    assert r.status_code == 200, r.text


def _three_rates(portal: Portal, group_by: str) -> dict[str, Any]:
    r = portal.client.get(
        "/api/v1/indicators/three-rates",
        params={"group_by": group_by, "month": "2026-11"},
        headers=portal.auth("op"),
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_the_board_and_the_three_rates_agree(portal: Portal) -> None:
    for satisfaction in ("satisfied", "basically_satisfied", "unsatisfied"):
        _rated(portal, satisfaction)
    portal.platform.relay.drain()  # the visits are recorded after commit

    board = portal.client.get("/api/v1/portal/board", params={"month": "2026-11"}).json()
    expected = round((1 + BASIC_WEIGHT) / 3, 4)  # the reopened case's 不满意 counts
    assert board["satisfaction_rate"] == expected
    for group_by, key in (("department", "by_department"), ("street", "by_street")):
        rates = _three_rates(portal, group_by)
        assert board["satisfaction_rate"] == rates["total"]["rates"]["satisfaction_rate"]
        listed = {r["code"]: r for r in board[key]}
        visited = [r for r in rates["rows"] if r["group_code"]]
        assert visited
        for row in visited:
            mine = listed[row["group_code"]]
            assert mine["satisfaction_rate"] == row["rates"]["satisfaction_rate"] == expected
            assert mine["rated"] == row["counts"]["satisfaction_rated"] == 3
