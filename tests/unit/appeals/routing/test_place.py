"""The place prior (appeals/routing/place.py): what recent cases nearby say about a leaf, and
that it never displaces a strong text signal."""

from __future__ import annotations

import pytest

from cityops.appeals.routing.place import (
    EVIDENCE_DAYS,
    MAX_LIFT,
    STRENGTH,
    STRONG_TEXT,
    NearbyCase,
    PlacePrior,
    Ring,
    nearby_cases,
    ring_of,
    weigh,
)

CITY = {"A010101": 100, "A010102": 100, "A0501": 100, "A0502": 100}
AREA = ("S1", "S1C1", "S1C1G1")  # street, community, grid


def _prior(*cases: NearbyCase) -> PlacePrior:
    return PlacePrior(cases, CITY, leaves=4)


def _many(code: str, ring: Ring, n: int, age: float = 1.0) -> list[NearbyCase]:
    return [NearbyCase(code, ring, age)] * n


def test_no_cases_nearby_say_nothing() -> None:
    prior = _prior()
    assert {code: prior.lift(code) for code in CITY} == dict.fromkeys(CITY, 1.0)
    text = [("A010101", 0.5), ("A0501", 0.3)]
    assert [(w.code, w.probability) for w in weigh(text, prior)] == text


def test_a_category_frequent_in_the_grid_is_lifted_and_others_lowered() -> None:
    prior = _prior(*_many("A0501", Ring.grid, 30))
    assert prior.lift("A0501") > 1.5
    assert prior.lift("A010101") < 1.0
    assert prior.lift("A05") > 1.0  # a group counts its leaves' cases


def test_the_lift_is_bounded() -> None:
    rare = {**CITY, "A0503": 0}  # a category the city hardly has, all over the grid
    prior = PlacePrior(_many("A0503", Ring.grid, 10_000), rare, leaves=5)
    assert prior.lift("A0503") == pytest.approx(MAX_LIFT**STRENGTH)
    assert prior.lift("A0502") == pytest.approx((1 / MAX_LIFT) ** STRENGTH)


@pytest.mark.parametrize(
    ("nearer", "farther"),
    [
        (_many("A0501", Ring.grid, 10), _many("A0501", Ring.community, 10)),
        (_many("A0501", Ring.community, 10), _many("A0501", Ring.street, 10)),
        (_many("A0501", Ring.grid, 10, age=1), _many("A0501", Ring.grid, 10, age=60)),
    ],
    ids=["grid>community", "community>street", "recent>old"],
)
def test_nearer_and_newer_cases_weigh_more(
    nearer: list[NearbyCase], farther: list[NearbyCase]
) -> None:
    assert _prior(*nearer).lift("A0501") > _prior(*farther).lift("A0501") > 1.0


def test_a_few_cases_say_little() -> None:
    few = _prior(NearbyCase("A0501", Ring.grid, 1.0)).lift("A0501")
    many = _prior(*_many("A0501", Ring.grid, 40)).lift("A0501")
    assert 1.0 < few < 1.1 < many


def test_the_place_reorders_a_weak_text_signal_keeping_its_mass() -> None:
    prior = _prior(*_many("A0502", Ring.grid, 30))
    text = [("A0501", 0.40), ("A0502", 0.35), ("A010101", 0.05)]
    out = weigh(text, prior)
    assert [w.code for w in out] == ["A0502", "A0501", "A010101"]
    assert sum(w.probability for w in out) == pytest.approx(0.80)
    assert {w.code: w.text_probability for w in out} == dict(text)


def test_a_strong_text_signal_stays_first_whatever_the_place_says() -> None:
    prior = _prior(*_many("A0502", Ring.grid, 10_000))
    text = [("A0501", STRONG_TEXT), ("A0502", 1 - STRONG_TEXT)]
    out = weigh(text, prior)
    assert out[0].code == "A0501"
    assert out[0].text_probability == STRONG_TEXT


def test_the_note_counts_the_smallest_ring_with_cases_in_the_evidence_window() -> None:
    cases = [
        *_many("A0501", Ring.grid, 3),
        *_many("A0501", Ring.community, 9),
        *_many("A0501", Ring.grid, 5, age=EVIDENCE_DAYS + 10),  # weighs, not counted
        *_many("A0501", Ring.community, 20),
    ]
    prior = _prior(*cases)
    note = prior.note("A0501", prior.lift("A0501"))
    assert note is not None
    assert (note.ring, note.days, note.count) == (Ring.grid, EVIDENCE_DAYS, 3)
    only_community = _prior(*_many("A0501", Ring.community, 30))
    note = only_community.note("A0501", only_community.lift("A0501"))
    assert note is not None
    assert (note.ring, note.count) == (Ring.community, 30)
    assert prior.note("A0502", prior.lift("A0502")) is None  # lowered: no note


def test_rings_and_window() -> None:
    assert ring_of(AREA, ("S1", "S1C1", "S1C1G1")) is Ring.grid
    assert ring_of(AREA, ("S1", "S1C1", "S1C1G2")) is Ring.community
    assert ring_of(AREA, ("S1", "S1C2", None)) is Ring.street
    assert ring_of(AREA, ("S2", "S2C1", "S2C1G1")) is None
    rows = [
        ("A0501", ("S1", "S1C1", "S1C1G1"), 2.0),
        ("A0501", ("S2", "S2C1", "S2C1G1"), 2.0),  # another street
        ("A0502", ("S1", "S1C1", "S1C1G1"), 200.0),  # too old
    ]
    assert nearby_cases(AREA, rows) == [NearbyCase("A0501", Ring.grid, 2.0)]
