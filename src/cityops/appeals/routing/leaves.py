"""Which leaf category (细类) of the responsibility list an appeal belongs to, and so which unit:
the coarse text model's seven board labels combined with the list's own words and what operators
taught it. Pure: no database, no model file.

The board labels are coarse and do not follow the list: 城乡建设 holds a pothole (城市管理 →
市政设施损坏), a full bin (市容环境卫生) and a 公积金 question (住房公积金) alike. So a label only
says which groups of the list are likely (`labels.LABEL_GROUPS`); the leaf inside them comes from
the text matching a leaf's own words — its keywords (the list's `keywords`), its name and, weakly,
its filing condition (立案条件) — and from operators' corrections of earlier, similar appeals.

For one message, with P(l) the calibrated probability of board label l:

    P(leaf) = Σ_l P(l) · P(group | l, text) · P(leaf | group, text)

* P(group | l, text) ∝ 1 for the label's main group (a label's messages go there unless the text
  says otherwise) + Σ over the group's matched leaves of c(l, group) · (e^(β·s) − 1), where s is
  the leaf's match score and c is 1 for a group the label covers (`LABEL_GROUPS`), `FOREIGN` for
  any other: strong words of another group can move the message there.
* P(leaf | group, text) ∝ e^(β·s) − 1 for each matched leaf, and 1 for "a leaf of the group that
  the text does not name" — which is a leaf only when the group has no children. Such a
  candidate is returned with `leaf=False`: the group is known, the unit is not, and a person
  decides.

A match score s sums the weights of the leaf's terms found in the text, each divided by the
number of leaves having that term (a word shared by three leaves tells a third as much), plus the
similarity of the closest corrected appeal filed under the leaf. So the same words always give
the same answer, an operator's correction is used from the next message on, and a leaf's
probability is high only when its own words are in the text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

BETA = 3.0  # how much one unit of match score multiplies a leaf's odds (e^3 ≈ 20)
FOREIGN = 0.3  # a group the label does not cover can still win on its own words, less easily
KEYWORD_WEIGHT = 1.0
NAME_WEIGHT = 1.0
CONDITION_WEIGHT = 0.25  # the filing condition's words are general ("破损", "影响")
EXAMPLE_WEIGHT = 2.0  # a corrected appeal that is (nearly) the same text
EXAMPLE_MIN_SIMILARITY = 0.35


@dataclass(frozen=True)
class LeafSpec:
    """A category of the list as the leaf model reads it."""

    code: str
    name: str
    group_code: str  # its level-1 ancestor (大类)
    keywords: tuple[str, ...] = ()
    condition_words: tuple[str, ...] = ()  # content words of its filing condition
    is_leaf: bool = True  # False: a group whose leaves are elsewhere in the list


@dataclass(frozen=True)
class Example:
    """An appeal a person filed under `code` (a correction of the router): its words."""

    code: str
    words: frozenset[str]


@dataclass(frozen=True)
class LeafGuess:
    """One candidate category for a message."""

    code: str
    probability: float
    leaf: bool  # False: only the group is known (no leaf of it is named by the text)
    label: str  # the board label that brought most of its probability
    label_probability: float
    matched: tuple[str, ...] = ()  # the list's words found in the text, strongest first


@dataclass
class LeafIndex:
    """The leaves of one responsibility list with their words, ready to rank messages."""

    specs: Sequence[LeafSpec]
    label_groups: Mapping[str, Sequence[str]]  # board label → groups it covers, main first
    examples: Sequence[Example] = ()
    _terms: dict[str, list[tuple[str, float]]] = field(default_factory=dict, repr=False)
    _groups: dict[str, list[LeafSpec]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        owners: dict[str, set[str]] = {}
        raw: dict[str, dict[str, float]] = {}
        for spec in self.specs:
            terms: dict[str, float] = {}
            for word in spec.condition_words:
                if len(word) >= 2:
                    terms[word] = max(terms.get(word, 0.0), CONDITION_WEIGHT)
            if len(spec.name) >= 2:
                terms[spec.name] = NAME_WEIGHT
            for word in spec.keywords:
                if word:
                    terms[word] = KEYWORD_WEIGHT
            raw[spec.code] = terms
            for word in terms:
                owners.setdefault(word, set()).add(spec.code)
            self._groups.setdefault(spec.group_code, []).append(spec)
        # a longer term found in the text also contains its shorter ones ("路灯不亮" ⊃ "路灯"):
        # both count, which is what a reader would do too
        self._terms = {
            code: sorted(
                ((w, weight / len(owners[w])) for w, weight in terms.items()),
                key=lambda t: (-t[1], -len(t[0]), t[0]),
            )
            for code, terms in raw.items()
        }

    def score(self, text: str, words: frozenset[str] = frozenset()) -> dict[str, float]:
        """code → match score of every leaf the text (and, through the corrections, the
        message's `words`) names; `matched` says which of its terms were found."""
        found: dict[str, float] = {}
        hits = {
            code: [(t, w) for t, w in terms if t in text] for code, terms in self._terms.items()
        }
        every = {t for terms in hits.values() for t, _ in terms}
        for code, terms in hits.items():
            own = {t for t, _ in self._terms[code]}
            # a term inside a longer term of another leaf found in the text is that one's:
            # 公租房 is no 租房
            s = sum(
                w for t, w in terms if not any(t in o and o != t and o not in own for o in every)
            )
            if s > 0:
                found[code] = s
        if words and self.examples:
            closest: dict[str, float] = {}
            for ex in self.examples:
                if ex.code not in self._terms or not ex.words:
                    continue
                sim = len(words & ex.words) / len(words | ex.words)  # Jaccard of the words
                if sim >= EXAMPLE_MIN_SIMILARITY and sim > closest.get(ex.code, 0.0):
                    closest[ex.code] = sim
            for code, sim in closest.items():
                found[code] = found.get(code, 0.0) + EXAMPLE_WEIGHT * sim
        return found

    def matched(self, code: str, text: str, n: int = 5) -> tuple[str, ...]:
        """The leaf's terms found in the text, strongest first (at most n)."""
        return tuple(term for term, _ in self._terms.get(code, []) if term in text)[:n]

    def rank(
        self,
        text: str,
        label_probability: Mapping[str, float],
        words: Iterable[str] = (),
        k: int = 3,
    ) -> list[LeafGuess]:
        """The k most likely categories of a message, most likely first."""
        scores = self.score(text, frozenset(words))
        lift = {code: math.expm1(BETA * s) for code, s in scores.items()}
        by_group = {
            g: sum(lift.get(s.code, 0.0) for s in specs if s.is_leaf)
            for g, specs in self._groups.items()
        }
        total: dict[str, float] = {}
        best_label: dict[str, tuple[float, str]] = {}
        for label, p in label_probability.items():
            covered = [g for g in self.label_groups.get(label, ()) if g in self._groups]
            main = covered[0] if covered else None
            weights = {
                g: (1.0 if g == main else 0.0) + (1.0 if g in covered else FOREIGN) * by_group[g]
                for g in self._groups
            }
            z = sum(weights.values())
            if z <= 0 or p <= 0:
                continue
            for g, w in weights.items():
                if w <= 0:
                    continue
                share = p * w / z
                for code, q in self._within(g, lift):
                    contribution = share * q
                    total[code] = total.get(code, 0.0) + contribution
                    if contribution > best_label.get(code, (0.0, ""))[0]:
                        best_label[code] = (contribution, label)
        norm = sum(total.values())
        if norm <= 0:
            return []
        leafs = {s.code: s.is_leaf for s in self.specs}
        out = []
        for code, value in sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[: max(1, k)]:
            label = best_label[code][1]
            out.append(
                LeafGuess(
                    code=code,
                    probability=value / norm,
                    leaf=leafs.get(code, False),
                    label=label,
                    label_probability=float(label_probability[label]),
                    matched=self.matched(code, text),
                )
            )
        return out

    def _within(self, group: str, lift: Mapping[str, float]) -> list[tuple[str, float]]:
        """P(candidate | group, text): each matched leaf by its lift, and the rest of the group
        by 1 — the group itself, a leaf when it has no children (then its own lift adds to it),
        else the candidate "a leaf of the group that the text does not name"."""
        matched = [
            (s.code, lift[s.code])
            for s in self._groups[group]
            if s.is_leaf and s.code in lift and s.code != group
        ]
        own = next((s for s in self._groups[group] if s.code == group), None)
        rest = 1.0 + (lift.get(group, 0.0) if own is not None and own.is_leaf else 0.0)
        z = rest + sum(q for _, q in matched)
        return [*((c, q / z) for c, q in matched), (group, rest / z)]


class ListItem(Protocol):
    """What the leaf model reads of a category of the list (taxonomy's Category has it)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def parent_code(self) -> str | None: ...
    @property
    def level(self) -> int: ...
    @property
    def filing_condition(self) -> str: ...


def specs_of(
    items: Sequence[ListItem],
    keywords: Mapping[str, Sequence[str]],
    words: Callable[[str], Sequence[str]],
) -> list[LeafSpec]:
    """The leaves and groups of a list's appeal categories in use (`items`), with their
    keywords and the content `words` of a filing condition of their own (one inherited from the
    parent says nothing about the leaf). Intermediate items (neither a group nor a leaf) are
    left out."""
    by_code = {c.code: c for c in items}
    parents = {c.parent_code for c in items if c.parent_code}
    specs: list[LeafSpec] = []
    for c in items:
        is_leaf = c.code not in parents
        if not is_leaf and c.level != 1:
            continue
        parent = by_code.get(c.parent_code or "")
        own = parent is None or c.filing_condition != parent.filing_condition
        condition = tuple(words(c.filing_condition)) if own and c.level > 1 else ()
        specs.append(
            LeafSpec(
                code=c.code,
                name=c.name,
                group_code=c.code[:3],
                keywords=tuple(keywords.get(c.code, ())),
                condition_words=condition,
                is_leaf=is_leaf,
            )
        )
    return specs
