"""Scores of one kind's subjects in a period, the ranking with its head and tail lists, and
the trend of scores over periods (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cityops.insight.evaluation.config import EvaluationConfig
from cityops.insight.evaluation.model import (
    COMPONENTS,
    SCORE_DIGITS,
    Better,
    ComponentScore,
    Scored,
    SubjectKind,
    component_value,
    composite,
    grade,
    normalise,
    volume_of,
)


@dataclass(frozen=True)
class SubjectScore:
    code: str
    name: str
    counts: Mapping[str, int]
    scored: Scored
    rank: int | None = None  # 1 = best; ties share a rank (1, 2, 2, 4); None: not rated


@dataclass(frozen=True)
class Ranking:
    rows: tuple[SubjectScore, ...]  # the rated by rank, then the not rated by code
    head: tuple[SubjectScore, ...]  # the best n
    tail: tuple[SubjectScore, ...]  # the worst n, worst first, none of them in head


def score_period(
    kind: SubjectKind,
    subjects: Mapping[str, tuple[str, Mapping[str, int]]],
    config: EvaluationConfig,
) -> dict[str, Scored]:
    """Code → the scored subject, for one kind's subjects (code → (name, counts)) in one period.
    A volume component is scored against the largest volume among the subjects that meet the
    minimum volume; a subject below it is not rated."""
    minimum = config.minimum(kind)
    eligible = {
        code for code, (_, counts) in subjects.items() if volume_of(kind, counts) >= minimum
    }
    best: dict[str, float] = {}
    for comp in COMPONENTS[kind]:
        if comp.better is Better.volume:
            values = [component_value(comp, subjects[code][1]) or 0.0 for code in eligible]
            best[comp.key] = max(values, default=0.0)
    out: dict[str, Scored] = {}
    for code, (_, counts) in subjects.items():
        parts: list[ComponentScore] = []
        for comp in COMPONENTS[kind]:
            w = config.weighting(kind, comp.key)
            value = component_value(comp, counts)
            s = normalise(comp.better, value, limit=w.limit, best=best.get(comp.key, 0.0))
            parts.append(ComponentScore(comp.key, value, s, w.weight))
        volume = volume_of(kind, counts)
        total = composite([(p.score, p.weight) for p in parts]) if code in eligible else None
        if total is None:
            out[code] = Scored(None, None, False, volume, tuple(parts))
            continue
        total = round(total, SCORE_DIGITS)
        out[code] = Scored(
            total, grade(total, config.grades, config.lowest_grade), True, volume, tuple(parts)
        )
    return out


def rank(rows: Sequence[SubjectScore], n: int) -> Ranking:
    """Rated subjects by score (highest first; equal scores share a rank, then by code), the not
    rated after them by code; head = the best n, tail = the worst n, worst first, leaving out
    those already in head."""
    rated = sorted(
        (r for r in rows if r.scored.score is not None),
        key=lambda r: (-(r.scored.score or 0.0), r.code),
    )
    ranked: list[SubjectScore] = []
    for i, row in enumerate(rated):
        same = ranked and ranked[-1].scored.score == row.scored.score
        position = ranked[-1].rank if same and ranked[-1].rank is not None else i + 1
        ranked.append(SubjectScore(row.code, row.name, row.counts, row.scored, position))
    unrated = sorted((r for r in rows if r.scored.score is None), key=lambda r: r.code)
    head = tuple(ranked[:n])
    tail = tuple(reversed(ranked[max(n, len(ranked) - n) :]))
    return Ranking(rows=(*ranked, *unrated), head=head, tail=tail)


@dataclass(frozen=True)
class TrendLine:
    code: str
    name: str
    scores: tuple[float | None, ...]  # one per period, oldest first; None: not rated
    grades: tuple[str | None, ...]


def trend(periods: Sequence[Mapping[str, SubjectScore]]) -> tuple[TrendLine, ...]:
    """One line per subject seen in any period (by code), its score in each period."""
    names: dict[str, str] = {}
    for per in periods:
        for code, row in per.items():
            names[code] = row.name or names.get(code, "")
    lines = []
    for code in sorted(names):
        cells = [per.get(code) for per in periods]
        lines.append(
            TrendLine(
                code=code,
                name=names[code],
                scores=tuple(c.scored.score if c else None for c in cells),
                grades=tuple(c.scored.grade if c else None for c in cells),
            )
        )
    return tuple(lines)
