"""A versioned set of indicator definitions: codes unique, formulas resolvable and acyclic.

`import_definitions` merges definitions into a set by code; the version goes up by one when an
indicator is added or changed. `evaluation_order` lists the codes so that every formula comes
after the indicators it reads, and `evaluate_formulas` fills in the formula indicators.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from cityops.insight.vitals.definitions import (
    DefinitionError,
    FormulaSource,
    IndicatorDefinition,
)


@dataclass(frozen=True)
class DefinitionSet:
    """A checked, versioned set of definitions (codes unique, formulas resolvable, acyclic)."""

    version: int
    definitions: tuple[IndicatorDefinition, ...]

    def __post_init__(self) -> None:
        check_definitions(self.definitions)
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            raise DefinitionError("*", "version", "an integer ≥ 1")

    def __iter__(self) -> Iterator[IndicatorDefinition]:
        return iter(self.definitions)

    def __len__(self) -> int:
        return len(self.definitions)

    def get(self, code: str) -> IndicatorDefinition | None:
        return next((d for d in self.definitions if d.code == code), None)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.definitions)

    def evaluation_order(self) -> tuple[str, ...]:
        """Every code in definition order, but each after the codes its formula reads."""
        return _topological(self.definitions)

    def evaluate_formulas(self, values: Mapping[str, float | None]) -> dict[str, float | None]:
        """`values` (the non-formula indicators of one area) completed with every formula."""
        out: dict[str, float | None] = dict(values)
        by_code = {d.code: d for d in self.definitions}
        for code in self.evaluation_order():
            source = by_code[code].source
            if isinstance(source, FormulaSource):
                deps = {ref: out.get(ref) for ref in source.formula.references}
                out[code] = source.formula.evaluate(deps)
        return out


def _references(d: IndicatorDefinition) -> frozenset[str]:
    return d.source.formula.references if isinstance(d.source, FormulaSource) else frozenset()


def find_cycle(definitions: Sequence[IndicatorDefinition]) -> tuple[str, ...] | None:
    """A formula cycle as the codes around it (a → b → a), or None."""
    refs = {d.code: _references(d) for d in definitions}
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(code: str) -> tuple[str, ...] | None:
        state[code] = 1
        path.append(code)
        for ref in sorted(refs.get(code, ())):
            if state.get(ref) == 1:
                return (*path[path.index(ref) :], ref)
            if ref not in state and (cycle := visit(ref)) is not None:
                return cycle
        path.pop()
        state[code] = 2
        return None

    for code in refs:
        if code not in state and (cycle := visit(code)) is not None:
            return cycle
    return None


def check_definitions(definitions: Sequence[IndicatorDefinition]) -> None:
    """Codes unique; every formula names defined indicators, never itself, never in a cycle."""
    seen: set[str] = set()
    for d in definitions:
        if d.code in seen:
            raise DefinitionError(d.code, "code", "defined twice")
        seen.add(d.code)
    for d in definitions:
        missing = sorted(_references(d) - seen)
        if missing:
            raise DefinitionError(d.code, "expression", f"unknown indicator {missing[0]}")
    cycle = find_cycle(definitions)
    if cycle is not None:
        raise DefinitionError(cycle[0], "expression", "formula cycle " + " → ".join(cycle))


def _topological(definitions: Sequence[IndicatorDefinition]) -> tuple[str, ...]:
    order: list[str] = []
    placed: set[str] = set()
    refs = {d.code: _references(d) for d in definitions}

    def place(code: str) -> None:
        if code in placed:
            return
        placed.add(code)
        for ref in sorted(refs[code]):
            place(ref)
        order.append(code)

    for d in definitions:
        place(d.code)
    return tuple(order)


@dataclass(frozen=True)
class ImportResult:
    definitions: DefinitionSet
    added: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]


def import_definitions(
    current: DefinitionSet, incoming: Iterable[IndicatorDefinition]
) -> ImportResult:
    """Merge `incoming` into `current` by code (new codes appended, same codes replaced). The
    version goes up by one when anything was added or changed, and stays when nothing was."""
    merged = {d.code: d for d in current}
    added, changed, unchanged = [], [], []
    for d in incoming:
        old = merged.get(d.code)
        if old is None:
            added.append(d.code)
        elif old != d:
            changed.append(d.code)
        else:
            unchanged.append(d.code)
        merged[d.code] = d
    version = current.version + 1 if added or changed else current.version
    result = replace(current, version=version, definitions=tuple(merged.values()))
    return ImportResult(result, tuple(added), tuple(changed), tuple(unchanged))
