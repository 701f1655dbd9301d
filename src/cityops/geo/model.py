"""Plain-Python area objects and the code rules (GB/T 30428.1 style). No database, no HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cityops.kernel.errors import ValidationFailed


class AreaLevel(StrEnum):
    """Levels from the top down: 市 区 街道 社区 网格 by default. The identifiers are the
    contract; what a deployment calls each level, and which it uses, is `levels.AreaLevels`."""

    city = "city"  # 市
    district = "district"  # 区
    street = "street"  # 街道
    community = "community"  # 社区
    grid = "grid"  # 网格

    @property
    def rank(self) -> int:
        """0 for the city, 4 for a grid: a larger rank is a smaller area."""
        return LEVELS.index(self)


LEVELS: tuple[AreaLevel, ...] = tuple(AreaLevel)


@dataclass(frozen=True, slots=True)
class AreaRef:
    """An area as other domains see it (no geometry). `generated`: a grid cut by `cityops geo
    grid`, not drawn by the city; `retired`: no longer used for new places (a generated grid
    whose community received real grids) — still known by its code, for what was filed in it."""

    code: str
    name: str
    level: AreaLevel
    alias: str | None = None
    generated: bool = False
    retired: bool = False


@dataclass(frozen=True, slots=True)
class AreaChain:
    """The areas enclosing a place, from the top (city or district) down to the smallest."""

    areas: tuple[AreaRef, ...]

    def __post_init__(self) -> None:
        if not self.areas:
            raise ValueError("an area chain holds at least one area")

    def at(self, level: AreaLevel) -> AreaRef | None:
        for area in self.areas:
            if area.level == level:
                return area
        return None

    @property
    def smallest(self) -> AreaRef:
        return self.areas[-1]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.areas)


@dataclass(frozen=True, slots=True)
class AreaFeature:
    """An area with its shape: `geometry` is a GeoJSON geometry dict in WGS84 (for maps)."""

    ref: AreaRef
    parent_code: str | None
    geometry: Mapping[str, Any]
    bbox: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


def build_chain(code: str, areas: Mapping[str, tuple[AreaRef, str | None]]) -> AreaChain:
    """Walk parent links from `code` up to the root. `areas` maps code -> (ref, parent_code)."""
    out: list[AreaRef] = []
    seen: set[str] = set()
    current: str | None = code
    while current is not None and current in areas:
        if current in seen:
            raise ValueError(f"area parent links form a cycle at {current}")
        seen.add(current)
        ref, parent = areas[current]
        out.append(ref)
        current = parent
    if not out:
        raise KeyError(code)
    return AreaChain(tuple(reversed(out)))


# --- the gazetteer: a place named in an address ---------------------------------------------

PLACE_LEVELS = (AreaLevel.street, AreaLevel.community, AreaLevel.grid)
_SUFFIXES = ("街道", "社区")  # 石桥街道 is also written 石桥, 华丰社区 华丰


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """An area named in a free-text address: the area, its chain and a point inside it that
    stands for it (approximate: the address named the area, not the spot)."""

    area: AreaRef
    chain: AreaChain
    lon: float
    lat: float
    matched: str  # the words of the address that named it


def place_keys(name: str, suffixes: Sequence[str] = _SUFFIXES) -> tuple[str, ...]:
    """The ways an area's name is written: in full, and without 街道 / 社区 (or the configured
    endings, `AreaLevels.place_suffixes`) when at least two characters remain."""
    keys = [name]
    for suffix in suffixes:
        short = name.removesuffix(suffix)
        if short != name and len(short) >= 2 and short not in keys:
            keys.append(short)
    return tuple(keys)


def match_place(
    address: str,
    areas: Iterable[tuple[AreaRef, str | None]],
    suffixes: Sequence[str] = _SUFFIXES,
) -> tuple[AreaRef, str] | None:
    """The area an address names, and the words that named it, or None. `areas` are (ref,
    parent_code) of the levels a place may be given at (street, community, grid); `suffixes`
    the name endings an address may leave out.

    Every name (also without 街道/社区) found in the address is a candidate. A name several
    areas share counts only for those whose enclosing area is named too (东园社区 in two
    streets). A candidate is dropped for a more specific one inside it named by other words
    (石桥街道华丰社区 → 华丰社区); where one word names an area and an area inside it (石桥
    for 石桥街道 and 石桥社区), the larger one is meant. Of the rest, the longest words win,
    then the deeper level, then the earlier place in the address."""
    listed = list(areas)
    parents = {ref.code: parent for ref, parent in listed}
    found: dict[tuple[int, int], list[AreaRef]] = {}  # span → areas named by it
    for ref, _parent in listed:
        for key in place_keys(ref.name, suffixes):
            start = address.find(key)
            while start >= 0:
                found.setdefault((start, start + len(key)), []).append(ref)
                start = address.find(key, start + 1)

    def named_beside(span: tuple[int, int]) -> set[str]:
        """Areas named by words that do not overlap `span`."""
        return {
            ref.code
            for (start, end), refs in found.items()
            if end <= span[0] or start >= span[1]
            for ref in refs
        }

    def ancestors(code: str) -> set[str]:
        out: set[str] = set()
        current = parents.get(code)
        while current is not None and current not in out:
            out.add(current)
            current = parents.get(current)
        return out

    picked: list[tuple[tuple[int, int], AreaRef]] = []
    for span, refs in found.items():
        unique = {r.code: r for r in refs}
        if len(unique) > 1:  # one word, several areas: keep those whose parents are named too
            beside = named_beside(span)
            confirmed = {c: r for c, r in unique.items() if ancestors(c) & beside}
            unique = confirmed or unique
            # an area and one inside it under the same word: the larger one
            unique = {c: r for c, r in unique.items() if not (ancestors(c) & set(unique))}
        if len(unique) == 1:
            picked.append((span, next(iter(unique.values()))))
    if not picked:
        return None
    # drop an area for a more specific one inside it, named by other words
    broader = {
        a
        for span, ref in picked
        for a in ancestors(ref.code)
        if any(s != span and r.code == a for s, r in picked)
    }
    kept = [(span, ref) for span, ref in picked if ref.code not in broader]
    span, best = min(kept, key=lambda p: (-(p[0][1] - p[0][0]), -p[1].level.rank, p[0][0]))
    return best, address[span[0] : span[1]]


# --- codes -----------------------------------------------------------------------------------

_DIGITS = re.compile(r"^\d+$")
_TRAILING_NUMBER = re.compile(r"(\d+)$")


def sequence_width(parent_level: AreaLevel | None, level: AreaLevel) -> int:
    """Digits a child adds to its parent's code: 2 for a district under a city (330100 → 3301xx,
    as in GB/T 2260), 3 for streets, communities and grids. 0: the code must be given."""
    if parent_level is None or level.rank <= parent_level.rank:
        return 0
    if level is AreaLevel.district:
        return 2 if parent_level is AreaLevel.city else 0
    if level is AreaLevel.city:
        return 0
    return 3


def child_code(
    parent_code: str, parent_level: AreaLevel | None, level: AreaLevel, sequence: int
) -> str:
    """The code of the `sequence`-th child (1-based) of a parent."""
    width = sequence_width(parent_level, level)
    if width == 0:
        raise ValidationFailed(
            f"a {level} under {parent_code} needs an explicit code", code="code_required"
        )
    if not 1 <= sequence < 10**width:
        raise ValidationFailed(
            f"{parent_code} has no free {width}-digit sequence left for a {level}",
            code="code_space_full",
        )
    prefix = parent_code[:4] if width == 2 else parent_code
    return f"{prefix}{sequence:0{width}d}"


def sequence_hint(source_code: str | None) -> int | None:
    """The trailing number of a source code ('SQ-3-2' → 2), used to keep codes recognisable."""
    if not source_code:
        return None
    match = _TRAILING_NUMBER.search(source_code.strip())
    return int(match.group(1)) if match else None


def assign_sequences(
    hints: Sequence[int | None], taken: Iterable[int], *, width: int = 3
) -> list[int]:
    """One sequence per new child: its hint when that is free and in range, else the lowest free
    number. Earlier items win a contested hint; `taken` holds sequences already in use."""
    used = set(taken)
    limit = 10**width
    out: list[int | None] = [None] * len(hints)
    for i, hint in enumerate(hints):
        if hint is not None and 1 <= hint < limit and hint not in used:
            out[i] = hint
            used.add(hint)
    next_free = 1
    for i, seq in enumerate(out):
        if seq is not None:
            continue
        while next_free in used:
            next_free += 1
        if next_free >= limit:
            raise ValidationFailed(
                f"no free {width}-digit sequence left for the new areas", code="code_space_full"
            )
        out[i] = next_free
        used.add(next_free)
    return [s for s in out if s is not None]


def sequence_of(
    code: str, parent_code: str, parent_level: AreaLevel | None, level: AreaLevel
) -> int:
    """The sequence number a child code uses under its parent (inverse of `child_code`)."""
    width = sequence_width(parent_level, level)
    tail = code[-width:] if width else ""
    return int(tail) if tail and _DIGITS.match(tail) else 0
