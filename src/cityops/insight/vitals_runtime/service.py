"""Use cases of city vital signs (城市体征): board, drill-down, trend, definitions, series, runs.

Each read takes an Actor and first checks its rule in insight/policy.py; an area-bound actor sees
only the areas inside their own (others: 404 vital_area_not_found, as if it did not exist).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from cityops.cases.public import CaseService
from cityops.geo.public import AreaLevel, AreaRef, GeoService
from cityops.infra.outbox import UnitOfWork
from cityops.insight.policy import (
    may_import_vital_definitions,
    may_import_vital_series,
    may_read_vital_definitions,
    may_view_vitals,
)
from cityops.insight.vitals.definition_set import DefinitionSet, ImportResult
from cityops.insight.vitals.definitions import IndicatorDefinition, SpatialLevel
from cityops.insight.vitals.registry import (
    dump_definitions,
    import_yaml,
    load_catalog,
    parse_definitions,
)
from cityops.insight.vitals_runtime import reads, store
from cityops.insight.vitals_runtime.model import (
    RunReport,
    VitalAreas,
    VitalBoard,
    VitalTrend,
)
from cityops.insight.vitals_runtime.runtime import VitalsRuntime
from cityops.insight.vitals_runtime.timing import trend_step
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.kernel.errors import NotFound, ValidationFailed

MAX_TREND = timedelta(days=400)
MAX_SERIES_POINTS = 100_000
SERIES_NAME_MAX = 80


class VitalsService:
    def __init__(self, geo: GeoService, clock: Clock, cases: CaseService | None = None) -> None:
        self._geo = geo
        self._clock = clock
        self._runtime = VitalsRuntime(geo, cases)
        self._lock = threading.Lock()
        self._parsed: tuple[int, str, DefinitionSet] | None = None

    # --- definitions ---------------------------------------------------------------------------

    def current_definitions(self, session: Session) -> DefinitionSet:
        """The newest stored definition set; the shipped catalogue (version 1) while none is."""
        stored = store.current_set(session)
        if stored is None:
            return load_catalog()
        version, text = stored
        with self._lock:
            if self._parsed is not None and self._parsed[:2] == (version, text):
                return self._parsed[2]
        parsed = parse_definitions(text)
        if parsed.version != version:  # the stored number is the truth
            parsed = DefinitionSet(version, parsed.definitions)
        with self._lock:
            self._parsed = (version, text, parsed)
        return parsed

    def _ensure_stored(self, session: Session, by: str) -> DefinitionSet:
        current = self.current_definitions(session)
        if store.current_set(session) is None:
            store.store_set(session, current.version, dump_definitions(current), self._now(), by)
        return current

    def definitions_yaml(self, session: Session, actor: Actor) -> tuple[int, str]:
        may_read_vital_definitions(actor)
        current = self.current_definitions(session)
        return current.version, dump_definitions(current)

    def import_definitions(self, session: Session, actor: Actor, yaml_text: str) -> ImportResult:
        """Merge a YAML document into the current set (DefinitionError: 422 naming indicator and
        field, nothing stored); a new version is stored only when something changed."""
        may_import_vital_definitions(actor)
        current = self._ensure_stored(session, actor.username)
        result = import_yaml(current, yaml_text)
        if result.definitions.version != current.version:
            text = dump_definitions(result.definitions)
            store.store_set(session, result.definitions.version, text, self._now(), actor.username)
        return result

    # --- series --------------------------------------------------------------------------------

    def import_series(
        self,
        session: Session,
        actor: Actor,
        series: str,
        points: Sequence[tuple[str, datetime, float]],
    ) -> int:
        may_import_vital_series(actor)
        name = series.strip()
        if not name or len(name) > SERIES_NAME_MAX:
            raise ValidationFailed(
                f"a series name of 1 to {SERIES_NAME_MAX} characters", code="bad_vital_series"
            )
        if len(points) > MAX_SERIES_POINTS:
            raise ValidationFailed(
                f"at most {MAX_SERIES_POINTS} points at once", code="bad_vital_series"
            )
        known = {self._root(session).code}
        for level in SpatialLevel:
            if level is not SpatialLevel.city:
                known |= {r.code for r in self._areas_of(session, level)}
        for area, at, value in points:
            if area not in known:
                raise ValidationFailed(f"unknown area {area!r}", code="bad_vital_series")
            if at.tzinfo is None:
                raise ValidationFailed(
                    f"{at}: an instant needs its offset", code="bad_vital_series"
                )
            if value != value or value in (float("inf"), float("-inf")):
                raise ValidationFailed(f"{area} {at}: not a number", code="bad_vital_series")
        return store.write_series(
            session, name, [(a, at.astimezone(UTC), float(v)) for a, at, v in points]
        )

    # --- runs ----------------------------------------------------------------------------------

    def evaluate_due(
        self,
        session: Session | UnitOfWork,
        now: datetime,
        *,
        only: Callable[[IndicatorDefinition], bool] | None = None,
    ) -> RunReport:
        """The scheduler job: every indicator whose refresh instant passed (no actor); with
        `only`, just the due ones it accepts (the demo's history skips the sensing indicators
        while no device exists yet)."""
        uow = session if isinstance(session, UnitOfWork) else UnitOfWork(session)
        definitions = self._ensure_stored(uow.session, "system")
        return self._runtime.evaluate_due(uow, definitions, now, only=only)

    # --- reads ---------------------------------------------------------------------------------

    def board(self, session: Session, actor: Actor, *, area: str | None = None) -> VitalBoard:
        may_view_vitals(actor)
        definitions = self.current_definitions(session)
        ref, level = self._visible_area(session, actor, area)
        here = self._levels_at(session, ref)
        states = store.load_states(session, areas=[ref.code])
        items = tuple(
            reads.current(d, ref, level, states.get((d.code, ref.code)))
            for d in definitions
            if here & set(d.levels)
        )
        return VitalBoard(ref.code, ref.name, level, definitions.version, items)

    def areas(
        self, session: Session, actor: Actor, code: str, *, parent: str | None = None
    ) -> VitalAreas:
        may_view_vitals(actor)
        d = self._definition(session, code)
        ref, level = self._visible_area(session, actor, parent)
        chain = self._chain(session, ref)
        # the first of the indicator's levels below the parent that has areas under it: a
        # district root is both `city` and `district`, so its children are its streets; a
        # level skipped below this parent (no streets, communities straight under it) too
        below = max(_rank(lv.value) for lv in self._levels_at(session, ref))
        root = self._root(session).code
        for child_level in (lv for lv in d.levels if _rank(lv.value) > below):
            refs = self._areas_of(session, child_level)
            kids = reads.children(refs, ref, root, actor.area_codes)
            if kids:
                break
        else:
            return VitalAreas(d.code, ref.code, ref.name, level, chain, ())
        states = store.load_states(session, d.code, [k.code for k in kids])
        items = [reads.current(d, k, child_level.value, states.get((d.code, k.code))) for k in kids]
        return VitalAreas(
            d.code,
            ref.code,
            ref.name,
            child_level.value,
            chain,
            tuple(reads.worst_first(items)),
        )

    def trend(
        self,
        session: Session,
        actor: Actor,
        code: str,
        *,
        area: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> VitalTrend:
        may_view_vitals(actor)
        d = self._definition(session, code)
        ref, level = self._visible_area(session, actor, area)
        if not self._levels_at(session, ref) & set(d.levels):
            raise NotFound(f"{d.code} is not computed at {ref.code}", code="vital_area_not_found")
        end = (end or self._now()).astimezone(UTC)
        start = (start or end - max(timedelta(hours=24), 48 * d.refresh)).astimezone(UTC)
        if start >= end or end - start > MAX_TREND:
            raise ValidationFailed(
                "a trend window runs forwards and spans at most 400 days", code="bad_vital_window"
            )
        state = store.load_states(session, d.code, [ref.code]).get((d.code, ref.code))
        # more than TREND_POINTS refresh intervals: buckets (mean, min, max) read in SQL
        step = trend_step(d.refresh, start, end)
        refresh_s = int(d.refresh.total_seconds())
        return VitalTrend(
            current=reads.current(d, ref, level, state),
            start=start,
            end=end,
            points=tuple(
                reads.window_points(session, d.code, ref.code, start, end, step, refresh_s)
            ),
            baselines=reads.baselines(session, d, ref.code, start, end, step),
            transitions=tuple(store.transitions_between(session, d.code, ref.code, start, end)),
            step_seconds=step,
        )

    # --- helpers -------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self._clock.now().astimezone(UTC)

    def _definition(self, session: Session, code: str) -> IndicatorDefinition:
        d = self.current_definitions(session).get(code)
        if d is None:
            raise NotFound(f"no indicator {code!r}", code="vital_not_found")
        return d

    def _root(self, session: Session) -> AreaRef:
        return self._geo.root_area(session)

    def _areas_of(self, session: Session, level: SpatialLevel) -> list[AreaRef]:
        return [r for r in self._geo.area_refs(session, AreaLevel(level.value)) if not r.retired]

    def _visible_area(
        self, session: Session, actor: Actor, code: str | None
    ) -> tuple[AreaRef, str]:
        """The area asked for (default: the city, or an area-bound actor's first area) with its
        level as the vitals name it (the root is `city`); 404 when unknown or out of scope."""
        root = self._root(session)
        if code is None:
            code = actor.area_codes[0] if actor.area_codes else root.code
        try:
            ref = self._geo.get_area(session, code)
        except NotFound:
            raise NotFound(f"no area {code!r}", code="vital_area_not_found") from None
        if not reads.inside(ref.code, actor.area_codes, root.code):
            raise NotFound(f"no area {code!r}", code="vital_area_not_found")
        level = SpatialLevel.city.value if ref.code == root.code else ref.level.value
        return ref, level

    def _levels_at(self, session: Session, ref: AreaRef) -> set[SpatialLevel]:
        """The levels an area is computed at: its own, and `city` too for the root (a district
        when only a district was imported: then the city's and the district's values are the
        same area's)."""
        own = {SpatialLevel(ref.level.value)}
        return own | {SpatialLevel.city} if ref.code == self._root(session).code else own

    def _chain(self, session: Session, ref: AreaRef) -> tuple[tuple[str, str], ...]:
        root = self._root(session)
        chain = [(a.code, a.name) for a in self._geo.chain_of(session, ref.code).areas]
        if not chain or chain[0][0] != root.code:
            chain.insert(0, (root.code, root.name))
        return tuple(chain)


def _rank(level: str) -> int:
    return list(SpatialLevel).index(SpatialLevel(level))
