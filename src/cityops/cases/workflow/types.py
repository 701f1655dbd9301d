"""Case types: which cases follow which workflow. A `CaseType` says which cases it covers (a rule
on their source and category code) and the workflow they follow; `CaseTypes` is the configured
set, built at the composition root (`build_platform(case_types=...)`) and handed to the case
engine, which takes every action of a case from the workflow of its type. A new type (物联感知
告警, 设备故障, 数据共享申请, 数据纠错) is one declaration plus the specs of its own actions.
Pure: no database, no HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cityops.cases.model import CaseSource, CaseState
from cityops.cases.workflow.registry import WORKFLOW, Workflow
from cityops.cases.workflow.spec import ActionSpec


@dataclass(frozen=True)
class CaseType:
    """One case type: its name, its Chinese term (`title`), the cases it covers — those of one of
    `sources` (none: any source) whose category code starts with one of `category_prefixes`
    (none: any category) — and the workflow they follow (`WORKFLOW.with_actions(...)` for the
    built-in actions and its own, `WORKFLOW.only(...)` for some of them)."""

    name: str
    title: str
    workflow: Workflow
    sources: frozenset[CaseSource] = frozenset()
    category_prefixes: tuple[str, ...] = ()

    @property
    def has_rule(self) -> bool:
        return bool(self.sources or self.category_prefixes)

    def covers(self, state: CaseState) -> bool:
        if self.sources and state.source not in self.sources:
            return False
        return not self.category_prefixes or state.category_code.startswith(self.category_prefixes)


# The built-in type: every case the other types do not cover follows the case engine's workflow.
GENERAL = CaseType(name="general", title="城市管理案件", workflow=WORKFLOW)


class CaseTypes:
    """The configured case types. A case is of the first type (in the order given) that covers
    it, else of `default`, which covers every case. `actions` is the union of their workflows:
    an action name means one spec whichever type offers it (one route, one body)."""

    def __init__(self, *types: CaseType, default: CaseType = GENERAL) -> None:
        if default.has_rule:
            raise ValueError(f"the default case type {default.name!r} must cover every case")
        for t in types:
            if not t.has_rule:
                raise ValueError(f"case type {t.name!r} must say which cases it covers")
        self._types = [*types, default]
        names = [t.name for t in self._types]
        if len(set(names)) != len(names):
            raise ValueError(f"a case type is declared twice: {names}")
        union: dict[str, ActionSpec[Any]] = {}
        for t in [default, *types]:
            for spec in t.workflow:
                if union.setdefault(spec.name, spec) != spec:
                    raise ValueError(f"action {spec.name!r} has two different specs")
        self.actions = Workflow(union.values())

    def __iter__(self) -> Iterator[CaseType]:
        return iter(self._types)

    def type_of(self, state: CaseState) -> CaseType:
        for t in self._types:
            if not t.has_rule or t.covers(state):
                return t
        raise AssertionError("the default case type covers every case")

    def workflow_for(self, state: CaseState) -> Workflow:
        """The workflow the case follows: its type's."""
        return self.type_of(state).workflow

    def offering(self, action: str) -> list[str]:
        """The names of the types that offer `action`."""
        return [t.name for t in self._types if action in t.workflow]


# One type, the case engine's workflow, for every case.
DEFAULT_CASE_TYPES = CaseTypes()
