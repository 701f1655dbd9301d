"""Evaluating the due indicators (the scheduler job `insight.vitals`, every minute).

For each definition whose aligned refresh instant passed since its last evaluation (timing.py;
outside its `active_hours` none is due), in formula order: read its value in every area of its
levels (sources.py; formulas over the values of the same run, or the last stored ones), store
the values, run the threshold state machine per area with the stored state, store states and
transitions, emit `VitalChanged` for each transition, and carry out the firing policy: `case`
opens one case per firing through the case engine as the system; `alarm` raises an area alarm
through sensing (one per indicator and area while it fires at or above the policy's level: its
severity follows the alert level, and it is cleared when the indicator resolves, goes without
data or falls below that level). After downtime only the latest due instant is evaluated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from cityops.cases.public import CaseService, CaseSource, NewCase
from cityops.geo.public import GeoService
from cityops.infra.outbox import UnitOfWork
from cityops.insight.vitals.definition_set import DefinitionSet
from cityops.insight.vitals.definitions import (
    AlertLevel,
    AppealSource,
    FiringAction,
    FormulaSource,
    IndicatorDefinition,
    SensingSource,
    SeriesSource,
)
from cityops.insight.vitals.definitions import (
    CaseSource as CaseVitalSource,
)
from cityops.insight.vitals.states import VitalStatus, VitalTransition, evaluate_vital
from cityops.insight.vitals_runtime import sources, store
from cityops.insight.vitals_runtime.areas import AreaSet, load_areas
from cityops.insight.vitals_runtime.events import VitalChanged
from cityops.insight.vitals_runtime.model import RunReport
from cityops.insight.vitals_runtime.timing import is_due
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import DomainError
from cityops.sensing.alarms.public import Severity
from cityops.sensing.public import clear_area_alarm, raise_area_alarm

log = logging.getLogger(__name__)

ALARM_ORIGIN = "vitals"  # the origin of the area alarms the vital signs raise (sensing)
# an indicator's alert level → the severity of its alarm (蓝 提示, 黄 次要, 橙 重要, 红 紧急)
SEVERITY_OF_LEVEL = {
    AlertLevel.blue: Severity.warning,
    AlertLevel.yellow: Severity.minor,
    AlertLevel.orange: Severity.major,
    AlertLevel.red: Severity.critical,
}
VITALS_ACTOR = Actor(
    user_id=None,
    username="vitals",
    roles=frozenset({Role.operator}),
    display_name="城市体征",
)


@dataclass
class _Run:
    at_values: dict[str, sources.Values] = field(default_factory=dict)
    evaluated: list[str] = field(default_factory=list)
    values: int = 0
    transitions: int = 0
    alarms: int = 0
    cases: int = 0
    errors: list[str] = field(default_factory=list)


class VitalsRuntime:
    def __init__(self, geo: GeoService, cases: CaseService | None) -> None:
        self._geo = geo
        self._cases = cases

    def evaluate_due(
        self,
        uow: UnitOfWork,
        definitions: DefinitionSet,
        now: datetime,
        *,
        only: Callable[[IndicatorDefinition], bool] | None = None,
    ) -> RunReport:
        session = uow.session
        last = store.last_evaluations(session)
        due: dict[str, datetime] = {}
        for d in definitions:
            at = is_due(now, d.refresh, last.get(d.code), d.active_hours)
            if at is not None and (only is None or only(d)):
                due[d.code] = at
        if not due:
            return RunReport(at=now)
        areas = load_areas(self._geo, session)
        run = _Run()
        for code in definitions.evaluation_order():
            if code not in due:
                continue
            found = definitions.get(code)
            assert found is not None
            d = found
            try:  # a source that refuses (bad metric, missing area) skips only its indicator
                values = self._read(session, definitions, d, areas, due[code], run)
            except DomainError as exc:
                log.warning("vital %s: not evaluated: %s", code, exc)
                run.errors.append(f"{code}: {exc}")
                continue
            self._evaluate(uow, d, areas, due[code], values, run)
        return RunReport(
            at=now,
            evaluated=tuple(run.evaluated),
            values=run.values,
            transitions=run.transitions,
            alarms=run.alarms,
            cases=run.cases,
            errors=tuple(run.errors),
        )

    def _evaluate(
        self,
        uow: UnitOfWork,
        d: IndicatorDefinition,
        areas: AreaSet,
        at: datetime,
        values: sources.Values,
        run: _Run,
    ) -> None:
        session = uow.session
        refs = areas.at_levels(d.levels)
        items = [(ref.code, values.get(ref.code)) for ref in refs]
        run.values += store.write_values(session, d.code, at, items)
        run.at_values[d.code] = dict(items)
        run.evaluated.append(d.code)
        previous = store.load_states(session, d.code)
        new_states = []
        for area, value in items:
            result = evaluate_vital(d, previous.get((d.code, area)), value, at, area)
            new_states.append(result.state)
            for i, t in enumerate(result.transitions):
                last = i == len(result.transitions) - 1
                trigger = result.trigger if last else None
                self._transition(uow, d, t, trigger, run)
        store.save_states(session, new_states)

    def _read(
        self,
        session: Session,
        definitions: DefinitionSet,
        d: IndicatorDefinition,
        areas: AreaSet,
        at: datetime,
        run: _Run,
    ) -> sources.Values:
        src = d.source
        if isinstance(src, CaseVitalSource):
            return sources.case_values(session, d, src, areas, at)
        if isinstance(src, AppealSource):
            return sources.appeal_values(session, d, src, areas, at)
        if isinstance(src, SensingSource):
            return sources.sensing_values(session, d, src, areas, at)
        if isinstance(src, SeriesSource):
            return sources.series_values(session, d, src, areas, at)
        assert isinstance(src, FormulaSource)
        return self._formula(session, definitions, d, src, areas, run)

    def _formula(
        self,
        session: Session,
        definitions: DefinitionSet,
        d: IndicatorDefinition,
        src: FormulaSource,
        areas: AreaSet,
        run: _Run,
    ) -> sources.Values:
        """Per area: the formula over the values of this run, else the last stored ones."""
        refs = sorted(src.formula.references)
        stored: dict[tuple[str, str], float | None] = {}
        for ref in refs:
            if ref not in run.at_values:
                for key, state in store.load_states(session, ref).items():
                    stored[key] = None if state.missed else state.value
        out: sources.Values = {}
        for area in areas.at_levels(d.levels):
            known = {
                ref: run.at_values[ref].get(area.code)
                if ref in run.at_values
                else stored.get((ref, area.code))
                for ref in refs
            }
            out[area.code] = definitions.evaluate_formulas(known).get(d.code)
        return out

    def _transition(
        self,
        uow: UnitOfWork,
        d: IndicatorDefinition,
        t: VitalTransition,
        trigger: FiringAction | None,
        run: _Run,
    ) -> None:
        action, case_id, alarm_id = "", None, None
        if trigger is FiringAction.case and t.to_status is VitalStatus.firing:
            case_id = self._open_case(uow, d, t)
            action = "case" if case_id is not None else ""
            run.cases += case_id is not None
        elif d.on_firing.action is FiringAction.alarm:
            action, alarm_id = self._alarm(uow, d, t)
            run.alarms += action == "alarm"
        store.add_transition(uow.session, t, action, case_id)
        run.transitions += 1
        uow.emit(
            VitalChanged(
                occurred_at=t.at,
                actor="system",
                indicator=t.indicator,
                area_code=t.area,
                from_status=t.from_status.value,
                to_status=t.to_status.value,
                from_level=None if t.from_level is None else t.from_level.value,
                to_level=None if t.to_level is None else t.to_level.value,
                value=t.value,
                at=t.at,
                action=action,
                case_id=case_id,
                alarm_id=alarm_id,
            )
        )

    def _alarm(
        self, uow: UnitOfWork, d: IndicatorDefinition, t: VitalTransition
    ) -> tuple[str, int | None]:
        """The `alarm` policy at one transition: firing at or above its level raises the area
        alarm or moves its severity with the level ("alarm"); leaving that (resolved, no data,
        below the level) clears it ("clear"). The action and the alarm's id."""
        key = f"{d.code}:{t.area}"
        level = t.to_level
        if (
            t.to_status is VitalStatus.firing
            and level is not None
            and level.rank >= d.on_firing.min_level.rank
        ):
            area = self._geo.get_area(uow.session, t.area)
            value = "—" if t.value is None else f"{t.value:.{d.precision}f}{d.unit}"
            where = f"{d.name_zh}（{d.code}）在{area.name}"
            raised = raise_area_alarm(
                uow,
                origin=ALARM_ORIGIN,
                key=key,
                area_code=t.area,
                severity=SEVERITY_OF_LEVEL[level],
                title_zh=f"城市体征{level.name_zh}色预警：{area.name}{d.name_zh}",
                detail=f"{where}达到{level.name_zh}色预警，当前值 {value}。",
                at=t.at,
                values={} if t.value is None else {d.code: t.value},
            )
            return "alarm", raised.alarm_id
        if t.from_status is not VitalStatus.firing:
            return "", None
        why = {
            VitalStatus.normal: "指标恢复正常",
            VitalStatus.no_data: "指标无数据",
        }.get(t.to_status, "指标低于告警级别")
        cleared = clear_area_alarm(uow, origin=ALARM_ORIGIN, key=key, at=t.at, note=why)
        return ("clear", cleared.alarm_id) if cleared is not None else ("", None)

    def _open_case(self, uow: UnitOfWork, d: IndicatorDefinition, t: VitalTransition) -> int | None:
        if self._cases is None or d.on_firing.category is None:
            return None
        session = uow.session
        area = self._geo.get_area(session, t.area)
        lon, lat = self._geo.representative_point(session, t.area)
        level = t.to_level.name_zh if t.to_level is not None else ""
        value = "" if t.value is None else f"{t.value:.{d.precision}f}{d.unit}"
        try:
            view = self._cases.create_case(
                uow,
                VITALS_ACTOR,
                NewCase(
                    source=CaseSource.sensor,
                    title=f"城市体征{level}色预警：{area.name}{d.name_zh}"[:200],
                    description=(
                        f"{d.name_zh}（{d.code}）在{area.name}达到{level}色预警，当前值 {value}。"
                    ),
                    category_code=d.on_firing.category,
                    lon=lon,
                    lat=lat,
                    area_code=t.area,
                    approximate=True,
                ),
            )
        except DomainError as exc:
            log.warning("vital %s in %s: its case was not opened: %s", d.code, t.area, exc)
            return None
        return view.id
