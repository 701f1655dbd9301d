"""The place of an appeal as evidence for its leaf category (细类): what was filed lately in the
same grid, community and street. Pure: no database, no clock (ages are given).

A place prior for a candidate category x (a leaf, or a group: every case under the code counts):

    w(case)   = RING_WEIGHT[ring] · 2^(−age / HALF_LIFE_DAYS)    ring: grid | community | street
    prior(x)  = (Σ w over the place's cases under x + ALPHA · city(x)) / (Σ w + ALPHA)
    city(x)   = (n_x + 1) / (N + L)    the city's own share of x in the same window (smoothed)
    lift(x)   = clamp(prior(x) / city(x), 1/MAX_LIFT, MAX_LIFT) ^ STRENGTH

So the place says only what it says more (or less) than the city as a whole does, a place with
few cases says almost nothing (ALPHA pseudo-cases of the city's mix), and old cases fade. The
text's probability of each candidate is multiplied by its lift and the candidates renormalised to
the mass they had. The place never overrides a strong text signal: a text top candidate at or
above STRONG_TEXT stays first whatever the place says, and the probability the dispatch rule
compares with its threshold stays the text's (`RouteSuggestion.text_probability`): the place may
reorder suggestions, it never dispatches by itself.

The evidence shown with a suggestion is a plain count: the cases under the category in the
smallest ring (grid, then community, then street) that has any in the last EVIDENCE_DAYS days."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

HALF_LIFE_DAYS = 30.0
WINDOW_DAYS = 90  # older cases are not read
EVIDENCE_DAYS = 30
ALPHA = 20.0  # pseudo-cases of the city's mix: a place needs a few cases to say anything
MAX_LIFT = 4.0
STRENGTH = 0.5  # the lift's exponent: the place counts less than its raw odds
STRONG_TEXT = 0.6  # a text top candidate this likely is never displaced by the place


class Ring(StrEnum):
    """How near a recent case is to the appeal (its smallest shared area)."""

    grid = "grid"  # 网格
    community = "community"  # 社区
    street = "street"  # 街道


RING_WEIGHT: Mapping[Ring, float] = {Ring.grid: 1.0, Ring.community: 0.5, Ring.street: 0.2}


@dataclass(frozen=True)
class NearbyCase:
    """A recent case near the appeal: its category, how near and how old."""

    category_code: str
    ring: Ring
    age_days: float


@dataclass(frozen=True)
class PlaceNote:
    """Why the place helped a suggestion: `count` cases of its category in the `ring` in the
    last `days` days (本社区近30天同类 12 件), and the lift it gave."""

    ring: Ring
    days: int
    count: int
    lift: float


@dataclass(frozen=True)
class PlacePrior:
    """The place's view of the categories, ready to weigh candidates."""

    nearby: Sequence[NearbyCase]
    city_counts: Mapping[str, int]  # category code → the city's cases in the window
    leaves: int  # how many leaf categories the list has (the smoothing's L)

    def _weight(self, case: NearbyCase) -> float:
        return float(RING_WEIGHT[case.ring] * 0.5 ** (max(0.0, case.age_days) / HALF_LIFE_DAYS))

    def city_share(self, code: str) -> float:
        n = sum(v for c, v in self.city_counts.items() if c.startswith(code))
        total = sum(self.city_counts.values())
        under = max(1, sum(1 for c in self.city_counts if c.startswith(code)))
        return (n + under) / (total + max(self.leaves, len(self.city_counts), 1))

    def lift(self, code: str) -> float:
        """How much more likely the place makes the category than the city does (1: no view)."""
        if not self.nearby:
            return 1.0
        weights = [(c.category_code, self._weight(c)) for c in self.nearby]
        total = sum(w for _, w in weights)
        own = sum(w for c, w in weights if c.startswith(code))
        city = self.city_share(code)
        prior = (own + ALPHA * city) / (total + ALPHA)
        ratio = min(MAX_LIFT, max(1.0 / MAX_LIFT, prior / city))
        return float(ratio**STRENGTH)

    def note(self, code: str, lift: float) -> PlaceNote | None:
        """The count behind a lift above 1, in the smallest ring that has one; else None."""
        if lift <= 1.0:
            return None
        order = list(Ring)
        for ring in Ring:  # a community's count holds its grids' cases, a street's all of them
            count = sum(
                1
                for c in self.nearby
                if order.index(c.ring) <= order.index(ring)
                and c.age_days <= EVIDENCE_DAYS
                and c.category_code.startswith(code)
            )
            if count:
                return PlaceNote(ring, EVIDENCE_DAYS, count, round(lift, 3))
        return None


@dataclass(frozen=True)
class Weighed:
    """A candidate after the place: its new probability, the text's own and the place note."""

    code: str
    probability: float
    text_probability: float
    note: PlaceNote | None


def weigh(candidates: Sequence[tuple[str, float]], prior: PlacePrior) -> list[Weighed]:
    """The text's candidates (code, probability), most likely first, weighed by the place and
    sorted again; their total probability is kept. A text top candidate at or above
    STRONG_TEXT stays first."""
    if not candidates:
        return []
    lifts = {code: prior.lift(code) for code, _ in candidates}
    raw = [(code, p * lifts[code]) for code, p in candidates]
    mass = sum(p for _, p in candidates)
    z = sum(v for _, v in raw)
    text = dict(candidates)
    out = [
        Weighed(
            code, (v / z * mass) if z > 0 else text[code], text[code], prior.note(code, lifts[code])
        )
        for code, v in raw
    ]
    out.sort(key=lambda w: (-w.probability, w.code))
    top_code, top_p = candidates[0]
    if top_p >= STRONG_TEXT and out[0].code != top_code:
        first = next(w for w in out if w.code == top_code)
        out = [first, *(w for w in out if w.code != top_code)]
    return out


def ring_of(
    area: tuple[str | None, str | None, str | None],
    case: tuple[str | None, str | None, str | None],
) -> Ring | None:
    """How near a case is to the appeal, each given as (street, community, grid) codes; None
    when they share no street."""
    street, community, grid = area
    c_street, c_community, c_grid = case
    if grid and c_grid == grid:
        return Ring.grid
    if community and c_community == community:
        return Ring.community
    if street and c_street == street:
        return Ring.street
    return None


def nearby_cases(
    area: tuple[str | None, str | None, str | None],
    rows: Iterable[tuple[str, tuple[str | None, str | None, str | None], float]],
) -> list[NearbyCase]:
    """The rows (category code, (street, community, grid), age in days) that share a ring
    with the appeal's area, as NearbyCase."""
    out = []
    for code, where, age in rows:
        ring = ring_of(area, where)
        if ring is not None and age <= WINDOW_DAYS:
            out.append(NearbyCase(code, ring, age))
    return out
