"""Pairwise evaluation of a grouping against pairs labelled same issue / different issue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelledPair:
    """Two message ids and whether a reader judged them to raise the same issue."""

    message_a: str
    message_b: str
    same_issue: bool


@dataclass(frozen=True)
class PairScores:
    """Pairwise precision, recall and F1 of 'grouped together' against 'same issue'."""

    pairs: int
    positives: int
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        called = self.true_positives + self.false_positives
        return self.true_positives / called if called else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def group_of(groups: Iterable[Sequence[str]]) -> dict[str, int]:
    """Message id → the index of its group."""
    return {mid: index for index, group in enumerate(groups) for mid in group}


def score_pairs(pairs: Iterable[LabelledPair], group: Mapping[str, int]) -> PairScores:
    """Scores of a grouping on labelled pairs; a pair with an id not grouped counts as apart."""
    n = tp = fp = fn = positives = 0
    for pair in pairs:
        n += 1
        a, b = group.get(pair.message_a), group.get(pair.message_b)
        together = a is not None and a == b
        positives += pair.same_issue
        if together and pair.same_issue:
            tp += 1
        elif together:
            fp += 1
        elif pair.same_issue:
            fn += 1
    return PairScores(n, positives, tp, fp, fn)
