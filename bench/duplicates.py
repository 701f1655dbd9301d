"""Duplicate appeals, text part: precision/recall on labelled pairs → bench/results/duplicates.json

    .venv/bin/python bench/duplicates.py [--data ../shared/data]

How the labelled set is built (tipdm2020_c). The segmented file (7,951 rows, `tokens`) holds
re-segmented, stop-word filtered copies of most raw messages (2,537 rows, `text` = subject +
details). A segmented row is the copy of the raw message in which the largest share of its
distinct tokens occurs as substrings, when that share is ≥ 0.9 and the two carry the same label
(candidates: the raw messages that contain the row's longest token). Then, per raw message with
at least one copy (first copy in file order):
  - positive pair: (raw text, its segmented copy with the spaces removed) — the same appeal
    written differently (punctuation and stop words gone);
  - negative: (raw text, the segmented copy of a different raw message of the same first-level
    label, drawn with a fixed seed), skipped when that other copy is ≥ 0.5 contained in this raw
    message (the raw set has some real repeats);
  - hardest negative (second set): (raw text, the segmented copy of the different same-label
    message that shares the largest share of its word tokens with this message's own copy —
    word-level, so no char-level method is favoured), skipped the same way.
Both sides of every pair have the same forms, so a method cannot tell positives by form alone.
Raw messages are split in halves by index parity: the threshold of each method is chosen on the
even half (best F1) and precision/recall are reported on the odd half.
Methods: char-bigram cosine (shipped, pure Python), char-bigram Jaccard, and TF-IDF cosine of
char 1–3-grams (scikit-learn, IDF fitted on the raw texts of the tuning half).
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer

from cityops.appeals.duplicates.model import char_ngrams, cosine, jaccard, normalise

Pair = tuple[str, str, int]


def _containment(tokens: set[str], text: str) -> float:
    return sum(1 for t in tokens if t in text) / len(tokens) if tokens else 0.0


def build_pairs(
    data: Path, seed: int = 7
) -> tuple[list[list[Pair]], list[list[Pair]], dict[str, int]]:
    base = data / "tipdm2020_c"
    with (base / "appeals_labeled_raw_2537.csv").open(encoding="utf-8-sig", newline="") as fh:
        raw = [(normalise(r["text"]), r["一级标签"]) for r in csv.DictReader(fh)]
    path = base / "appeals_labeled_segmented_7951.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        seg = [(r["tokens"], r["一级标签"]) for r in csv.DictReader(fh)]
    copy_of: dict[int, str] = {}
    copy_words: dict[int, set[str]] = {}
    for tokens, label in seg:
        toks = {normalise(t) for t in tokens.split()} - {""}
        if not toks:
            continue
        longest = max(toks, key=lambda t: (len(t), t))  # deterministic across hash seeds
        best, best_i = 0.0, -1
        for i, (text, raw_label) in enumerate(raw):
            if raw_label == label and longest in text:
                c = _containment(toks, text)
                if c > best:
                    best, best_i = c, i
        if best >= 0.9 and best_i not in copy_of:
            copy_of[best_i] = normalise(tokens)
            copy_words[best_i] = toks
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for i in copy_of:
        by_label.setdefault(raw[i][1], []).append(i)
    halves: list[list[Pair]] = [[], []]
    hard: list[list[Pair]] = [[], []]
    skipped = 0

    def repeat(other: str, text: str) -> bool:
        return _containment({other[k : k + 4] for k in range(0, len(other), 4)}, text) >= 0.5

    for i in sorted(copy_of):
        text, label = raw[i]
        halves[i % 2].append((text, copy_of[i], 1))
        hard[i % 2].append((text, copy_of[i], 1))
        others = [k for k in by_label[label] if k != i]
        other = copy_of[rng.choice(others)]
        if repeat(other, text):
            skipped += 1
        else:
            halves[i % 2].append((text, other, 0))
        mine = copy_words[i]
        ranked = sorted(
            others, key=lambda k: -len(mine & copy_words[k]) / (len(copy_words[k]) or 1)
        )
        for k in ranked[:5]:
            if not repeat(copy_of[k], text):
                hard[i % 2].append((text, copy_of[k], 0))
                break
    stats = {
        "raw_messages": len(raw),
        "segmented_rows": len(seg),
        "raw_with_copy": len(copy_of),
        "negatives_skipped_as_repeats": skipped,
    }
    return halves, hard, stats


def _best_threshold(scores: list[float], labels: list[int]) -> float:
    best_f, best_t = -1.0, 0.5
    for t in sorted({round(s, 3) for s in scores}):
        p, r = _pr(scores, labels, t)
        f = 2 * p * r / (p + r) if p + r else 0.0
        if f > best_f:
            best_f, best_t = f, t
    return best_t


def _pr(scores: list[float], labels: list[int], t: float) -> tuple[float, float]:
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= t and y)
    fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= t and not y)
    fn = sum(1 for s, y in zip(scores, labels, strict=True) if s < t and y)
    return (tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0)


def evaluate(
    name: str, sim: Callable[[str, str], float], tune: list[Pair], test: list[Pair]
) -> dict[str, float | str]:
    t0 = time.perf_counter()
    s_tune = [sim(a, b) for a, b, _ in tune]
    s_test = [sim(a, b) for a, b, _ in test]
    per_pair_us = (time.perf_counter() - t0) / (len(tune) + len(test)) * 1e6
    threshold = _best_threshold(s_tune, [y for *_, y in tune])
    p, r = _pr(s_test, [y for *_, y in test], threshold)
    return {
        "method": name,
        "threshold": threshold,
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
        "us_per_pair": round(per_pair_us, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("bench/results/duplicates.json"))
    args = parser.parse_args()
    (tune, test), (hard_tune, hard_test), stats = build_pairs(args.data)
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    vec.fit([a for a, _, y in tune if y])

    def tfidf(a: str, b: str) -> float:
        m = vec.transform([a, b])
        return float((m[0] @ m[1].T).toarray()[0, 0])

    methods: list[tuple[str, Callable[[str, str], float]]] = [
        ("char_bigram_cosine", lambda a, b: cosine(char_ngrams(a), char_ngrams(b))),
        ("char_bigram_jaccard", lambda a, b: jaccard(char_ngrams(a), char_ngrams(b))),
        ("tfidf_char_1_3_cosine", tfidf),
    ]
    results = {
        "random_same_label_negatives": [evaluate(n, f, tune, test) for n, f in methods],
        "hardest_same_label_negatives": [evaluate(n, f, hard_tune, hard_test) for n, f in methods],
    }
    report = {
        "task": "duplicate appeals, text similarity only (distance and time are exact filters)",
        "built_from": __doc__.split("How the labelled set is built", 1)[1]
        .split("Methods:")[0]
        .strip()
        if __doc__
        else "",
        "dataset": {
            **stats,
            "tune_pairs": len(tune),
            "test_pairs": len(test),
            "test_positives": sum(y for *_, y in test),
            "hard_tune_pairs": len(hard_tune),
            "hard_test_pairs": len(hard_test),
        },
        "shipped": "char_bigram_cosine",
        "why_shipped": (
            "as good as Jaccard and TF-IDF within noise on both negative sets, needs no corpus "
            "statistics (a query scores a handful of candidates) and is ~12x faster than TF-IDF"
        ),
        "note": (
            "text part only; in the service distance (≤ radius) and time (± window) are hard "
            "filters and the ranking score is 0.6 text + 0.25 nearness + 0.15 recency"
        ),
        "results": results,
        "python": sys.version.split()[0],
        "machine": platform.platform(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["dataset"], ensure_ascii=False))
    for name, rows in results.items():
        for r in rows:
            print(name, r)


if __name__ == "__main__":
    main()
