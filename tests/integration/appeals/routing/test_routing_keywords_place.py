"""The router reads the list as stored: a leaf's keywords edited through the API change its next
suggestion, in this process and in another one at once; and the place of an appeal weighs its
leaf — recent cases of a category in the same grid raise it, with the count shown as evidence —
without displacing a strong text signal."""

from __future__ import annotations

from typing import Any

import pytest

from cityops.app import Platform, build_platform
from cityops.appeals.routing.public import RouteSuggestion
from cityops.cases.public import CaseArea
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock

from .conftest import GRID, RoutingCity

SCHOOL = "孩子所在学校的老师违规有偿补课，学校收取高额补课费，请教育局查处"
VAGUE = "你好，请问一下"


def _put_keywords(city: RoutingCity, code: str, keywords: list[str]) -> dict[str, Any]:
    current = city.client.get(f"/api/v1/categories/{code}").json()
    keep = ("name", "filing_condition", "urgency", "responsible_kind", "department_code")
    body = {**{k: current[k] for k in keep}, "limits": current["limits"], "keywords": keywords}
    r = city.client.put(f"/api/v1/categories/{code}", json=body, headers=city.auth("adm"))
    assert r.status_code == 200, r.text
    saved: dict[str, Any] = r.json()
    return saved


def _decision(city: RoutingCity, text: str) -> dict[str, Any]:
    receipt = city.submit(text)
    city.drain()
    case = city.case_by_number(receipt["case_number"])
    decision: dict[str, Any] = city.routing(case["id"])["decision"]
    return decision


def test_keywords_edited_through_the_api_change_the_next_suggestion(city: RoutingCity) -> None:
    before = _decision(city, SCHOOL)["suggestions"][0]
    assert (before["category_code"], before["keywords"]) == ("A0302", ["有偿补课", "补课"])

    # an administrator moves the words from 校外培训 to 文化市场 (a unit of its own, WLJ)
    _put_keywords(city, "A0302", ["培训机构"])
    _put_keywords(city, "A0305", ["网吧", "有偿补课", "补课"])

    after = _decision(city, SCHOOL)["suggestions"][0]
    assert (after["category_code"], after["keywords"]) == ("A0305", ["有偿补课", "补课"])
    assert after["department_code"] == "WLJ"


def test_another_process_uses_the_edited_keywords_at_once(
    city: RoutingCity, platform: Platform, clock: FixedClock
) -> None:
    other = build_platform(platform.settings, clock=clock, migrate=False)
    try:
        with other.read() as s:  # its leaf model is built and cached now
            assert other.routing.suggest(s, SCHOOL, k=1)[0].category_code == "A0302"
        _put_keywords(city, "A0302", ["培训机构"])
        _put_keywords(city, "A0305", ["有偿补课", "补课"])
        with other.read() as s:  # well within its cache's minute
            top = other.routing.suggest(s, SCHOOL, k=1)[0]
        assert (top.category_code, top.keywords) == ("A0305", ("有偿补课", "补课"))
    finally:
        other.close()


def _fill_grid(city: RoutingCity, code: str, n: int) -> None:
    for _ in range(n):
        city.create(
            title="反映问题", description="来电反映情况", category_code=code, area_code=GRID
        )


def _by_code(city: RoutingCity, text: str, area: CaseArea) -> dict[str, RouteSuggestion]:
    with city.platform.read() as s:
        found = city.platform.routing.suggest(s, text, k=8, area=area)
    return {x.category_code: x for x in found}


def test_recent_cases_in_the_grid_raise_their_category_with_the_count_as_evidence(
    city: RoutingCity,
) -> None:
    with city.platform.read() as s:
        area = city.platform.cases.get_case(s, SYSTEM, city.create()["id"]).area
    assert area.grid is not None
    assert area.grid.code == GRID
    without = _by_code(city, VAGUE, area=area)
    assert all(s.place is None for s in without.values())
    # the text's third candidate: well under a strong signal, and shown in the top three
    ranked = sorted(without, key=lambda c: -without[c].probability)
    third = ranked[2]

    _fill_grid(city, third, 12)
    placed = _by_code(city, VAGUE, area=area)
    raised = placed[third]
    assert raised.place is not None
    assert (raised.place.ring.value, raised.place.days, raised.place.count) == ("grid", 30, 12)
    assert raised.text_probability == pytest.approx(without[third].probability)
    assert raised.probability > without[third].probability
    assert all(placed[c].place is None for c in ranked if c != third)
    # the others lose what it gained: the candidates keep their mass
    total = sum(x.probability for x in without.values())
    assert sum(x.probability for x in placed.values()) == pytest.approx(total)

    # the router's decision on the next appeal there carries the evidence for the card
    decision = _decision(city, VAGUE)
    [shown] = [x for x in decision["suggestions"] if x["category_code"] == third]
    assert (shown["place"]["ring"], shown["place"]["count"]) == ("grid", 12)
    assert shown["text_probability"] < shown["probability"]


def test_the_place_does_not_displace_a_strong_text_signal(city: RoutingCity) -> None:
    _fill_grid(city, "A07", 30)
    decision = _decision(city, SCHOOL)
    top = decision["suggestions"][0]
    assert top["category_code"] == "A0302"
    assert decision["outcome"] == "auto_dispatched"
