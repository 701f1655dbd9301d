"""GeoService (platform.geo): the use cases of the geo domain.

Reads (lookup, lists, shapes) are public and take no actor: the map is public. Writes take
(uow, actor, command) and check their rule in policy.py first.

The point index lives in memory: built lazily from the database, rebuilt as soon as this process
writes areas, and re-checked against the table (row count, last update) once it is older than
`index_ttl_seconds`, in case another process imported areas meanwhile."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from cityops.geo import store
from cityops.geo.coords import CoordSystem, from_wgs84, to_wgs84
from cityops.geo.datasets import generate_demo_city, import_hangzhou_xiacheng
from cityops.geo.importer import (
    GenerateGrids,
    GridResult,
    ImportAreas,
    ImportResult,
    Progress,
    generate_grid_layer,
    import_areas,
)
from cityops.geo.levels import AreaLevels
from cityops.geo.model import (
    PLACE_LEVELS,
    AreaChain,
    AreaFeature,
    AreaLevel,
    AreaRef,
    PlaceMatch,
    match_place,
)
from cityops.geo.policy import may_generate_grids, may_import_areas
from cityops.geo.spatial import (
    AreaIndex,
    bbox_of,
    from_geojson_text,
    shape_from_wgs84,
    to_geojson_text,
)
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.kernel.errors import NotFound, ValidationFailed


class GeoService:
    def __init__(
        self,
        clock: Clock,
        *,
        levels: AreaLevels | None = None,
        index_ttl_seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self.levels = levels or AreaLevels.default()
        self._ttl = index_ttl_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._index: AreaIndex | None = None
        self._generation = -1
        self._fingerprint: tuple[int, datetime | None] | None = None
        self._checked_at = 0.0

    # --- point lookup ------------------------------------------------------------------------

    def locate(
        self, session: Session, lon: float, lat: float, crs: CoordSystem = CoordSystem.wgs84
    ) -> AreaChain:
        """The chain of areas holding the point, down to the smallest (属地兜底: a point in no
        grid gets its community, street or district). ValidationFailed(code="outside_city")
        when no area holds it."""
        wlon, wlat = self.to_wgs84(lon, lat, crs)
        chain = self._current_index(session).locate(wlon, wlat)
        if chain is None:
            raise ValidationFailed(
                f"the point lon={lon:.6f}, lat={lat:.6f} ({crs}) lies outside every area of the "
                "city",
                code="outside_city",
                lon=lon,
                lat=lat,
                crs=crs.value,
            )
        return chain

    def load_index(self, session: Session) -> int:
        """Build the point → area index now instead of at the first lookup (a server does this
        at start); returns how many areas it holds."""
        return len(self._current_index(session))

    def to_wgs84(self, lon: float, lat: float, crs: CoordSystem) -> tuple[float, float]:
        """The point in WGS84 (what is stored). ValidationFailed(code="invalid_point") for a
        longitude outside ±180, a latitude outside ±90, or a value that is not a number."""
        if not (
            math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90
        ):
            raise ValidationFailed(
                f"lon={lon}, lat={lat} is not a point: need -180 ≤ lon ≤ 180 and -90 ≤ lat ≤ 90",
                code="invalid_point",
            )
        return (lon, lat) if crs == CoordSystem.wgs84 else to_wgs84(lon, lat, CoordSystem(crs))

    def from_wgs84(self, lon: float, lat: float, crs: CoordSystem) -> tuple[float, float]:
        return from_wgs84(lon, lat, CoordSystem(crs))

    # --- areas -------------------------------------------------------------------------------

    def get_area(self, session: Session, code: str) -> AreaRef:
        """An area by code or by alias (source code such as 'SQ-3-2')."""
        return self._row(session, code).ref

    def representative_point(self, session: Session, code: str) -> tuple[float, float]:
        """(lon, lat) of a point surely inside the area (code or alias), standing for it."""
        ref = self.get_area(session, code)
        try:
            return self._current_index(session).representative_point(ref.code)
        except KeyError:
            return self._current_index(session, force=True).representative_point(ref.code)

    def place_for_address(self, session: Session, address: str) -> PlaceMatch | None:
        """The street, community or grid an address names (the local gazetteer: no geocoder
        is reachable), with a point inside it standing for it; None when it names none."""
        index = self._current_index(session)
        found = match_place(
            address,
            [(r, p) for r, p in index.located_areas() if r.level in PLACE_LEVELS],
            self.levels.place_suffixes(),
        )
        if found is None:
            return None
        area, words = found
        lon, lat = index.representative_point(area.code)
        return PlaceMatch(
            area=area, chain=index.chain_of(area.code), lon=lon, lat=lat, matched=words
        )

    def search_places(self, session: Session, query: str, limit: int = 8) -> list[PlaceMatch]:
        """Places for an address search box (地址搜索), from the city's own areas: no geocoder is
        reachable. First the area the whole text names as an address (place_for_address: 石桥
        街道华丰社区12幢 → 华丰社区), then the streets, communities and grids whose name (also
        without 街道/社区), code or alias holds the text, larger areas first. Each with its chain
        and a point inside it standing for it."""
        text = query.strip()
        if not text:
            return []
        index = self._current_index(session)
        out: list[PlaceMatch] = []
        seen: set[str] = set()
        best = self.place_for_address(session, text)
        if best is not None:
            out.append(best)
            seen.add(best.area.code)
        folded = text.casefold()
        order = {level: i for i, level in enumerate(PLACE_LEVELS)}
        hits = sorted(
            (
                ref
                for ref, _parent in index.located_areas()
                if ref.level in PLACE_LEVELS
                and not ref.retired
                and ref.code not in seen
                and (
                    folded in ref.name.casefold()
                    or ref.code.startswith(text)
                    or (ref.alias is not None and folded in ref.alias.casefold())
                )
            ),
            key=lambda r: (order[r.level], not r.name.startswith(text), len(r.name), r.code),
        )
        for ref in hits[: max(0, limit - len(out))]:
            lon, lat = index.representative_point(ref.code)
            out.append(
                PlaceMatch(area=ref, chain=index.chain_of(ref.code), lon=lon, lat=lat, matched=text)
            )
        return out[:limit]

    def root_area(self, session: Session) -> AreaRef:
        """The one area above all others: the city, or the district when only a district and
        what lies below it were imported (where a matter without a place is filed).
        ValidationFailed(code="no_root_area") when no area exists, or when several top-level
        areas exist (then the place has to be given)."""
        roots = self._current_index(session).roots()
        if len(roots) == 1:
            return roots[0]
        if not roots:
            raise ValidationFailed(
                "no areas are imported yet: import the city's areas first", code="no_root_area"
            )
        names = "、".join(f"{r.name} ({r.code})" for r in roots[:5])
        raise ValidationFailed(
            f"the city has several top-level areas ({names}): say which one with area_code",
            code="no_root_area",
        )

    def chain_of(self, session: Session, code: str) -> AreaChain:
        """The area (code or alias) with its ancestors, from the top down — a retired area too
        (`chain.smallest.retired` tells), so the codes stored with older cases still resolve."""
        ref = self.get_area(session, code)
        index = self._current_index(session)
        try:
            return index.chain_of(ref.code)
        except KeyError:
            return self._current_index(session, force=True).chain_of(ref.code)

    def list_areas(
        self, session: Session, level: AreaLevel | None = None, parent_code: str | None = None
    ) -> list[AreaRef]:
        """Areas in use, ordered by code; `parent_code` (code or alias) keeps its direct
        children. None of a level the deployment does not use (`levels`)."""
        return [f.ref for f in self.list_features(session, level, parent_code)]

    def area_refs(self, session: Session, level: AreaLevel | None = None) -> list[AreaRef]:
        """The areas in use (as `list_areas`: not retired, of a level the deployment uses),
        ordered by code, without their polygons: read from the point index kept in memory, so a
        frequent caller (every run of the vital signs) neither reads nor parses the shapes. As
        fresh as the index: rebuilt at once after this process imports areas, re-checked
        against the table once older than `index_ttl_seconds`."""
        index = self._current_index(session)
        refs = [
            ref for ref, _parent in index.located_areas() if level is None or ref.level is level
        ]
        return sorted(refs, key=lambda ref: ref.code)

    def get_feature(
        self, session: Session, code: str, crs: CoordSystem = CoordSystem.wgs84
    ) -> AreaFeature:
        """An area with its polygon (GeoJSON geometry in `crs`)."""
        return self._feature(self._row(session, code), crs)

    def list_features(
        self,
        session: Session,
        level: AreaLevel | None = None,
        parent_code: str | None = None,
        crs: CoordSystem = CoordSystem.wgs84,
    ) -> list[AreaFeature]:
        parent = self._row(session, parent_code).code if parent_code is not None else None
        if level is not None and not self.levels.uses(level):
            return []
        rows = store.list_areas(session, level=level, parent_code=parent)
        return [self._feature(r, crs) for r in rows if self.levels.uses(r.level)]

    # --- writes ------------------------------------------------------------------------------

    def import_areas(
        self, uow: UnitOfWork, actor: Actor, cmd: ImportAreas, progress: Progress | None = None
    ) -> ImportResult:
        """import areas  # 导入边界 — see geo/importer.py for the rules. A level the deployment
        does not use is refused (422 level_not_in_use)."""
        may_import_areas(actor)
        self.levels.check_in_use(cmd.level)
        return import_areas(uow.session, self._clock.now(), cmd, progress, levels=self.levels)

    def import_hangzhou_xiacheng(
        self,
        uow: UnitOfWork,
        actor: Actor,
        data_dir: Path,
        *,
        crs: CoordSystem = CoordSystem.wgs84,
        progress: Progress | None = None,
    ) -> dict[str, int]:
        """The real Hangzhou 下城区 hierarchy from ../shared/data; counts per level."""
        return import_hangzhou_xiacheng(
            uow,
            data_dir,
            clock=self._clock,
            actor=actor,
            crs=crs,
            progress=progress,
            levels=self.levels,
        )

    def generate_grids(
        self, uow: UnitOfWork, actor: Actor, cmd: GenerateGrids, progress: Progress | None = None
    ) -> GridResult:
        """generate grids  # 生成网格 for communities (and streets without communities) that have
        nothing in use below them. Refused where the grid level is not in use."""
        may_generate_grids(actor)
        self.levels.check_in_use(AreaLevel.grid)
        return generate_grid_layer(
            uow.session, self._clock.now(), cmd, progress, levels=self.levels
        )

    def generate_demo_city(
        self, uow: UnitOfWork, actor: Actor, *, grid_rows: int = 2, grid_cols: int = 2
    ) -> dict[str, int]:
        """The synthetic 示范市 (330100) for a machine without real data; counts per level."""
        return generate_demo_city(
            uow,
            clock=self._clock,
            actor=actor,
            grid_rows=grid_rows,
            grid_cols=grid_cols,
            grids=self.levels.uses(AreaLevel.grid),
        )

    # --- internals ---------------------------------------------------------------------------

    def _row(self, session: Session, code: str) -> store.AreaRow:
        row = store.find_area(session, code)
        if row is None:
            raise NotFound(f"no area has the code or alias {code!r}", code="unknown_area")
        return row

    def _feature(self, row: store.AreaRow, crs: CoordSystem) -> AreaFeature:
        text, bbox = row.geometry, row.bbox
        if crs is not CoordSystem.wgs84:
            shape = shape_from_wgs84(from_geojson_text(text), crs)
            text, bbox = to_geojson_text(shape), bbox_of(shape)
        return AreaFeature(
            ref=row.ref, parent_code=row.parent_code, geometry=json.loads(text), bbox=bbox
        )

    def _current_index(self, session: Session, *, force: bool = False) -> AreaIndex:
        with self._lock:
            index = self._index
            now = self._monotonic()
            if index is not None and not force and self._generation == store.generation():
                if now - self._checked_at < self._ttl:
                    return index
                if store.fingerprint(session) == self._fingerprint:
                    self._checked_at = now
                    return index
            generation = store.generation()
            fingerprint = store.fingerprint(session)
            rows = store.all_areas(session)
            # retired areas and those of a level not in use resolve by code, hold no point
            located = [r for r in rows if not r.retired and self.levels.uses(r.level)]
            index = AreaIndex(
                [(r.ref, r.parent_code, from_geojson_text(r.geometry)) for r in located],
                known=[
                    (r.ref, r.parent_code)
                    for r in rows
                    if r.retired or not self.levels.uses(r.level)
                ],
            )
            self._index, self._generation = index, generation
            self._fingerprint, self._checked_at = fingerprint, now
            return index
