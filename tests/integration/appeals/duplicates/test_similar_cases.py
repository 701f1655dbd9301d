"""GET /api/v1/cases/{id}/similar through HTTP: ranking by text, distance and time; only open,
unmerged cases in range; the actor's scope; bad parameters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cityops.kernel.clock import FixedClock

from .conftest import LITTER, City

LAMP_TEXT = ("路灯不亮", "湖滨路口的路灯晚上不亮，行人看不清路")


def test_ranks_duplicates_first_and_leaves_out_what_is_out_of_range(
    city: City, clock: FixedClock
) -> None:
    old = city.create(*LAMP_TEXT)  # reported 40 days before the target
    clock.advance(timedelta(days=40))
    target = city.create(*LAMP_TEXT)
    clock.advance(timedelta(hours=2))
    dup = city.create("路灯坏了", "湖滨路口路灯晚上不亮，行人看不清", north_m=40)
    related = city.create("垃圾", "路口堆了很多垃圾没人清理", north_m=120, category_code=LITTER)
    far = city.create(*LAMP_TEXT, north_m=400)
    closed = city.create(*LAMP_TEXT, north_m=10)
    city.act("disp", closed, "reject", reason="重复")

    found = city.similar(target["id"])
    # the litter case is near and recent, but about another matter: not suggested
    assert [s["case_id"] for s in found] == [dup["id"]]
    [first] = found
    assert first["number"] == dup["number"]
    assert first["status"] == "reported"
    assert first["distance_m"] == pytest.approx(40, abs=2)
    assert first["text_score"] > 0.5
    ids = {s["case_id"] for s in found}
    assert not ids & {target["id"], old["id"], far["id"], closed["id"], related["id"]}

    wider = city.similar(target["id"], radius_m=1000, window_days=60, limit=10)
    assert {far["id"], old["id"]} <= {s["case_id"] for s in wider}
    assert len(city.similar(target["id"], limit=1)) == 1


def test_a_merged_duplicate_is_no_longer_suggested(city: City) -> None:
    target = city.create(*LAMP_TEXT)
    dup = city.create(*LAMP_TEXT, north_m=30)
    assert [s["case_id"] for s in city.similar(target["id"])] == [dup["id"]]
    merged = city.act("disp", dup, "merge", into_case_id=target["id"], reason="重复上报")
    assert merged["merged_into_id"] == target["id"]
    assert city.similar(target["id"]) == []


@pytest.mark.parametrize(
    ("user", "expect"),
    [("disp", 200), ("op", 200), ("insp", 200), ("insp_west", 404), ("cit", 403)],
)
def test_scope_and_roles(city: City, user: str, expect: int) -> None:
    target = city.create(*LAMP_TEXT)
    city.similar(target["id"], user=user, expect=expect)


@pytest.mark.parametrize(
    ("params", "expect"),
    [
        ({"radius_m": 0}, 422),
        ({"radius_m": 50_000}, 422),
        ({"window_days": 0}, 422),
        ({"limit": 51}, 422),
        ({"limit": "many"}, 422),
    ],
)
def test_bad_parameters(city: City, params: dict[str, object], expect: int) -> None:
    target = city.create(*LAMP_TEXT)
    city.similar(target["id"], expect=expect, **params)


def test_unknown_case_is_404(city: City) -> None:
    city.similar(999_999, expect=404)
