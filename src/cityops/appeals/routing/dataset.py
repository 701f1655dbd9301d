"""Labelled appeals from CSV files, and the bookkeeping that keeps evaluation honest.

The published files mix time formats in 留言时间 (`2017/2/22 12:59:22`,
`2019-01-08 14:06:00`), often leave 留言详情 empty, and ship either raw text or jieba tokens.
`read_labelled` turns any of them into token strings and labels; `duplicate_groups` and
`overlap` find the same message twice (within a file or across the raw and the segmented set), so
that cross-validation never trains on a copy of a test message.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cityops.appeals.routing.model import segment


def doc_hash(doc: str) -> str:
    """16 hex digits of the SHA-256 of a message's token string: what the model store keeps of
    each training row, so an evaluation can tell which of its rows the model was trained on."""
    return hashlib.sha256(doc.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class LabelledSet:
    """Token strings (see model.segment) with their labels, in file order."""

    docs: tuple[str, ...]
    labels: tuple[str, ...]
    source: str = ""

    def __len__(self) -> int:
        return len(self.docs)

    def fingerprint(self) -> str:
        """A short hash of the content: the same data gives the same model version suffix."""
        h = hashlib.sha256()
        for doc, label in zip(self.docs, self.labels, strict=True):
            h.update(f"{label}\t{doc}\n".encode())
        return h.hexdigest()[:8]

    def row_hashes(self) -> list[str]:
        """A short hash of each message as the model reads it (doc_hash), in file order."""
        return [doc_hash(doc) for doc in self.docs]

    def label_counts(self) -> dict[str, int]:
        return dict(Counter(self.labels).most_common())

    def subset(self, indices: Sequence[int]) -> LabelledSet:
        return LabelledSet(
            tuple(self.docs[i] for i in indices),
            tuple(self.labels[i] for i in indices),
            self.source,
        )


def read_labelled(
    path: Path,
    text_col: str | None,
    label_col: str,
    tokens_col: str | None = None,
    *,
    sample: int | None = None,
    segmenter: Callable[[str], str] = segment,
) -> LabelledSet:
    """Read a labelled CSV (UTF-8, with or without BOM).

    `text_col` may join several columns with '+' (`留言主题+留言详情`); empty parts are
    skipped. With `tokens_col` the text is taken as already segmented. Rows without a label or
    without any text are dropped. `sample` keeps that many rows spread evenly through the file
    (files are often sorted by label)."""
    if text_col is None and tokens_col is None:
        raise ValueError("give a text column or a tokens column")
    sources = [tokens_col] if tokens_col else (text_col or "").split("+")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in (label_col, *sources) if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path.name} has no column {', '.join(missing)}")
        rows = [
            (label, parts)
            for row in reader
            if (label := (row.get(label_col) or "").strip())
            and (parts := [p.strip() for c in sources if (p := row.get(c) or "").strip()])
        ]
    if sample is not None and sample < len(rows):
        rows = [rows[i * len(rows) // sample] for i in range(sample)]
    docs: list[str] = []
    labels: list[str] = []
    for label, parts in rows:
        doc = " ".join(" ".join(parts).split()) if tokens_col else segmenter("\n".join(parts))
        if doc:
            docs.append(doc)
            labels.append(label)
    return LabelledSet(tuple(docs), tuple(labels), path.name)


def _normalised(doc: str) -> str:
    return re.sub(r"\s+", " ", doc).strip()


def duplicate_groups(docs: Sequence[str]) -> list[int]:
    """A group id per document; documents with the same token string share one."""
    seen: dict[str, int] = {}
    return [seen.setdefault(_normalised(d), len(seen)) for d in docs]


def overlap(
    docs: Sequence[str], others: Sequence[str], *, threshold: float = 0.8, candidates: int = 5
) -> dict[int, int]:
    """Which of `others` are (near-)copies of one of `docs`: {index in others: index in docs}.

    A match is an `others` document whose distinct tokens are at least `threshold` contained in
    one document of `docs` (a segmented copy may have lost a few words to a different stop list).
    Candidates come from an inverted index over tokens that occur in at most 100 documents."""
    token_sets = [set(d.split()) for d in docs]
    index: defaultdict[str, list[int]] = defaultdict(list)
    for i, tokens in enumerate(token_sets):
        for t in tokens:
            index[t].append(i)
    found: dict[int, int] = {}
    for j, other in enumerate(others):
        tokens = set(other.split())
        if not tokens:
            continue
        hits: Counter[int] = Counter()
        for t in tokens:
            posting = index.get(t)
            if posting is not None and len(posting) <= 100:
                hits.update(posting)
        best = max(
            (
                (len(tokens & token_sets[i]) / len(tokens), i)
                for i, _ in hits.most_common(candidates)
            ),
            default=(0.0, -1),
        )
        if best[0] >= threshold:
            found[j] = best[1]
    return found
