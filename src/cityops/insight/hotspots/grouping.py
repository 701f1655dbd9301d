"""Grouping messages into issues: TF-IDF word vectors, a sparse similarity graph, then average
linkage inside each connected part.

1. Each message is a TF-IDF vector (scikit-learn, sublinear tf, l2-normalised) of its words
   (text.words), the subject counted twice (it states the matter; the body wanders).
2. For each pair, combined = cosine + place_bonus when they name a common place (text.places)
   − place_penalty when both name places and share none; pairs further apart than window_days
   are not linked. Pairs with combined ≥ similarity are edges.
3. The connected parts of that graph are cut by average linkage (scipy) at the same similarity:
   a part splits until within each group the mean combined similarity of its pairs reaches the
   threshold (pairs never linked count 0), so one message that resembles two issues does not
   chain them into one.

scikit-learn and scipy are imported on the first analysis, not with insight's public face: the
running platform loads that face for its indicators and need not load them.

Cost: the similarity product is done in row blocks and keeps only the edges, so memory grows with
the edges, not with n²; the linkage is quadratic only in the size of a connected part, and a
part of more than MAX_PART messages is first split by raising the bar inside it in steps of
0.05 until its pieces fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cityops.insight.hotspots.model import HotspotSettings, Message
from cityops.insight.hotspots.text import places, words

_BLOCK = 512


@dataclass(frozen=True)
class Features:
    """The vectors and place names of a list of messages, in its order."""

    vectors: Any  # scipy.sparse.csr_matrix, rows l2-normalised
    places: tuple[frozenset[str], ...]
    subject_places: tuple[tuple[str, ...], ...]
    text_places: tuple[tuple[str, ...], ...]
    words: tuple[tuple[str, ...], ...]
    vocabulary: tuple[str, ...]


def features(messages: Sequence[Message]) -> Features:
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [words(m.subject) * 2 + words(m.body) for m in messages]
    in_subject = tuple(places(m.subject) for m in messages)
    in_text = tuple(
        tuple(dict.fromkeys(s + places(m.body))) for s, m in zip(in_subject, messages, strict=True)
    )
    named = tuple(frozenset(p) for p in in_text)
    if not any(docs):
        empty = csr_matrix((len(messages), 1))
        return Features(empty, named, in_subject, in_text, tuple(tuple(d) for d in docs), ("",))
    vectorizer = TfidfVectorizer(
        analyzer=lambda doc: doc, sublinear_tf=True, min_df=1, norm="l2", dtype=np.float64
    )
    matrix = csr_matrix(vectorizer.fit_transform(docs))
    vocab = tuple(str(w) for w in vectorizer.get_feature_names_out())
    return Features(matrix, named, in_subject, in_text, tuple(tuple(d) for d in docs), vocab)


def _place_adjustment(a: frozenset[str], b: frozenset[str], settings: HotspotSettings) -> float:
    if not a or not b:
        return 0.0
    return settings.place_bonus if a & b else -settings.place_penalty


def similarity_edges(
    messages: Sequence[Message], feats: Features, settings: HotspotSettings
) -> Any:
    """The symmetric matrix of combined similarities ≥ settings.similarity (i ≠ j), sparse."""
    from scipy.sparse import coo_matrix, csr_matrix

    n = len(messages)
    seconds = np.array([m.posted_at.timestamp() for m in messages])
    window = settings.window_days * 86400.0
    low = settings.similarity - settings.place_bonus  # a pair below this cannot reach the bar
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    matrix = feats.vectors
    transposed = matrix.T.tocsc()
    for start in range(0, n, _BLOCK):
        block = (matrix[start : start + _BLOCK] @ transposed).tocoo()
        keep = (block.data >= low) & (block.row + start < block.col)
        r, c, v = block.row[keep] + start, block.col[keep], block.data[keep]
        near = np.abs(seconds[r] - seconds[c]) <= window
        r, c, v = r[near], c[near], v[near]
        adjusted = v + np.array(
            [
                _place_adjustment(feats.places[i], feats.places[j], settings)
                for i, j in zip(r, c, strict=True)
            ],
            dtype=np.float64,
        )
        ok = adjusted >= settings.similarity
        rows.append(r[ok])
        cols.append(c[ok])
        vals.append(np.minimum(adjusted[ok], 1.0))
    r = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.empty(0, dtype=np.int64)
    v = np.concatenate(vals) if vals else np.empty(0)
    upper = coo_matrix((v, (r, c)), shape=(n, n))
    return csr_matrix(upper + upper.T)


MAX_PART = 4000  # the largest linked part cut by average linkage (its n² distances in memory)


def _parts(edges: Any, nodes: list[int], bar: float, max_part: int) -> list[list[int]]:
    """The connected parts of `edges` among `nodes` using only edges ≥ bar; a part larger than
    max_part is split again with the bar raised by 0.05 (a giant part of loosely linked
    messages is no single issue, and its linkage would not fit in memory)."""
    from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

    sub = edges[nodes][:, nodes]
    sub = sub.multiply(sub >= bar)
    count, labels = connected_components(sub, directed=False)
    members: list[list[int]] = [[] for _ in range(count)]
    for node, label in zip(nodes, labels, strict=True):
        members[label].append(node)
    found: list[list[int]] = []
    for part in members:
        if len(part) > max_part and bar < 1.0:
            found.extend(_parts(edges, part, bar + 0.05, max_part))
        else:
            found.append(part)
    return found


def group_messages(
    messages: Sequence[Message],
    settings: HotspotSettings,
    feats: Features | None = None,
    *,
    max_part: int = MAX_PART,
) -> list[list[int]]:
    """The groups (indices into `messages`), each sorted; every message is in exactly one group
    (a message like no other is a group of one). Largest groups first, then by first index."""
    from scipy.cluster.hierarchy import fcluster, linkage  # type: ignore[import-untyped]
    from scipy.spatial.distance import squareform  # type: ignore[import-untyped]

    n = len(messages)
    if n == 0:
        return []
    feats = feats if feats is not None else features(messages)
    edges = similarity_edges(messages, feats, settings)
    groups: list[list[int]] = []
    for part in _parts(edges, list(range(n)), settings.similarity, max_part):
        if len(part) <= 2:  # two linked messages are an edge, hence a group
            groups.append(part)
            continue
        sub = edges[part][:, part].toarray()
        distance = 1.0 - sub
        np.fill_diagonal(distance, 0.0)
        tree = linkage(squareform(distance, checks=False), method="average")
        cut = fcluster(tree, t=1.0 - settings.similarity, criterion="distance")
        split: dict[int, list[int]] = {}
        for index, label in zip(part, cut, strict=True):
            split.setdefault(int(label), []).append(index)
        groups.extend(split.values())
    return sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g[0]))
