"""The areas a run computes at: the root (the city) and the areas of each level in use, and the
adding up of rows keyed by a stored (deepest) area code to the areas that enclose it.

Geo's codes are hierarchical prefixes below the district (geo/public.py), so a row of code X
belongs to area A when X starts with A's code; the root encloses everything."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from cityops.geo.public import AreaLevel, AreaRef, GeoService
from cityops.insight.vitals.definitions import SpatialLevel

T = TypeVar("T")


@dataclass(frozen=True)
class AreaSet:
    root: AreaRef
    by_level: dict[SpatialLevel, tuple[AreaRef, ...]]

    def of(self, level: SpatialLevel) -> tuple[AreaRef, ...]:
        if level is SpatialLevel.city:
            return (self.root,)
        return self.by_level.get(level, ())

    def at_levels(self, levels: Iterable[SpatialLevel]) -> list[AreaRef]:
        seen: dict[str, AreaRef] = {}
        for level in levels:
            for ref in self.of(level):
                seen.setdefault(ref.code, ref)
        return list(seen.values())

    def roll_up(
        self, levels: Iterable[SpatialLevel], rows: Iterable[tuple[str, T]]
    ) -> dict[str, list[T]]:
        """Rows (stored area code, item) gathered under every area of `levels` enclosing them."""
        targets = self.at_levels(levels)
        by_len: dict[int, set[str]] = defaultdict(set)
        for ref in targets:
            if ref.code != self.root.code:
                by_len[len(ref.code)].add(ref.code)
        out: dict[str, list[T]] = {ref.code: [] for ref in targets}
        for code, item in rows:
            out[self.root.code].append(item)
            for n, codes in by_len.items():
                if code[:n] in codes:
                    out[code[:n]].append(item)
        return out


def load_areas(geo: GeoService, session: Session) -> AreaSet:
    """The root and the areas in use of each level below it: codes, names and levels from geo's
    index in memory (`area_refs`), no polygons read or parsed on a run."""
    root = geo.root_area(session)
    by_level: dict[SpatialLevel, tuple[AreaRef, ...]] = {}
    for level in SpatialLevel:
        if level is SpatialLevel.city:
            continue
        refs = geo.area_refs(session, AreaLevel(level.value))
        by_level[level] = tuple(r for r in refs if not r.retired)
    return AreaSet(root, by_level)


def aggregate(
    grouped: dict[str, list[T]], combine: Callable[[list[T]], float | None]
) -> dict[str, float | None]:
    return {code: combine(items) for code, items in grouped.items()}
