"""Pure scoring of duplicate candidates: Chinese text similarity, distance and time.

Text similarity is the cosine of character-bigram count vectors over the normalised text (CJK
characters, letters and digits; punctuation and spaces dropped), so it needs no word segmenter
and no corpus statistics: it works on the handful of candidates one query sees. It was chosen
over character-bigram Jaccard and a corpus-fitted TF-IDF (1–3-gram) cosine by the labelled-pair
benchmark in bench/duplicates.py (bench/results/duplicates.json).

The combined score is a weighted sum of three parts, each in [0, 1]:

    score = 0.6 × text + 0.25 × (1 − distance / radius) + 0.15 × (1 − |Δt| / window)

A candidate outside the radius or the window is not scored at all, nor one whose text similarity
is below `min_text` (default MIN_TEXT_SIMILARITY): nearness and recency alone (up to 0.4) say
nothing of whether two appeals are about the same matter. When either case has no point, the
distance part is 0 and the candidate counts only if both lie in the same area (grid).

MIN_TEXT_SIMILARITY = 0.2, chosen on the labelled pairs of bench/duplicates.py (the whole set,
2,494 duplicate pairs): the least similar duplicate scores 0.487 and 1 % score below 0.62, so 0.2
keeps every one of them (recall 1.0) with room for duplicates written more freely, while 98 % of
the random same-label non-duplicates (median 0.03) and 87 % of the hardest ones (median 0.08)
fall below it."""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cityops.geo.public import distance_m


@dataclass(frozen=True)
class Weights:
    """How the three parts add up to the score; they must be ≥ 0 and sum to 1."""

    text: float = 0.6
    distance: float = 0.25
    time: float = 0.15

    def __post_init__(self) -> None:
        parts = (self.text, self.distance, self.time)
        if min(parts) < 0 or not math.isclose(sum(parts), 1.0):
            raise ValueError("weights must be non-negative and sum to 1")


DEFAULT_WEIGHTS = Weights()
MIN_TEXT_SIMILARITY = 0.2


@dataclass(frozen=True)
class Appeal:
    """What scoring needs of a case: its id, text, place and report time."""

    case_id: int
    text: str
    reported_at: datetime
    lon: float | None = None
    lat: float | None = None
    area_code: str | None = None


@dataclass(frozen=True)
class Match:
    """A scored candidate. `distance_m` is None when one of the two cases has no point."""

    case_id: int
    distance_m: float | None
    text_score: float
    score: float


def normalise(text: str) -> str:
    """NFKC, lower case, and only letters, digits and CJK characters kept."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def char_ngrams(text: str, n: int = 2) -> Counter[str]:
    """Character n-gram counts of the normalised text (the text itself when shorter than n)."""
    s = normalise(text)
    if len(s) < n:
        return Counter([s]) if s else Counter()
    return Counter(s[i : i + n] for i in range(len(s) - n + 1))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(count * b[gram] for gram, count in a.items() if gram in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm


def jaccard(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb)


def text_similarity(a: str, b: str) -> float:
    """Character-bigram cosine of two texts, in [0, 1]."""
    return cosine(char_ngrams(a), char_ngrams(b))


def _point(appeal: Appeal) -> tuple[float, float] | None:
    if appeal.lon is None or appeal.lat is None:
        return None
    return appeal.lon, appeal.lat


def score(
    target: Appeal,
    candidate: Appeal,
    *,
    radius_m: float,
    window: timedelta,
    weights: Weights = DEFAULT_WEIGHTS,
    target_grams: Counter[str] | None = None,
    min_text: float = 0.0,
) -> Match | None:
    """The candidate's match against the target, or None when it is out of range or its text
    similarity is below `min_text`."""
    gap = abs(candidate.reported_at - target.reported_at)
    if gap > window:
        return None
    near: float
    dist: float | None = None
    a, b = _point(target), _point(candidate)
    if a is None or b is None:
        if not target.area_code or target.area_code != candidate.area_code:
            return None
        near = 0.0
    else:
        dist = distance_m(*a, *b)
        if dist > radius_m:
            return None
        near = 1.0 - dist / radius_m if radius_m > 0 else 1.0
    recent = 1.0 - gap / window if window > timedelta(0) else 1.0
    grams = target_grams if target_grams is not None else char_ngrams(target.text)
    text = cosine(grams, char_ngrams(candidate.text))
    if text < min_text:
        return None
    total = weights.text * text + weights.distance * near + weights.time * recent
    return Match(candidate.case_id, dist, round(text, 4), round(total, 4))


def rank(
    target: Appeal,
    candidates: Iterable[Appeal],
    *,
    radius_m: float,
    window: timedelta,
    limit: int,
    weights: Weights = DEFAULT_WEIGHTS,
    min_text: float = MIN_TEXT_SIMILARITY,
) -> list[Match]:
    """The best `limit` candidates (the target itself left out) whose text similarity is at
    least `min_text`, highest score first; ties go to the nearer, then the lower case id."""
    grams = char_ngrams(target.text)
    found: Sequence[Match] = [
        m
        for c in candidates
        if c.case_id != target.case_id
        and (
            m := score(
                target,
                c,
                radius_m=radius_m,
                window=window,
                weights=weights,
                target_grams=grams,
                min_text=min_text,
            )
        )
        is not None
    ]
    ordered = sorted(
        found,
        key=lambda m: (
            -m.score,
            m.distance_m if m.distance_m is not None else math.inf,
            m.case_id,
        ),
    )
    return ordered[:limit]
