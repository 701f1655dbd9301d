"""Whole area hierarchies in one call: the real Hangzhou 下城区 grid system (when
../shared/data is present) and a generated demo city (when it is not)."""

from __future__ import annotations

from pathlib import Path

import shapely

from cityops.geo import store
from cityops.geo.coords import CoordSystem
from cityops.geo.importer import (
    GenerateGrids,
    ImportAreas,
    Progress,
    SourceFeature,
    generate_grid_layer,
    import_areas,
    read_features,
)
from cityops.geo.levels import AreaLevels
from cityops.geo.model import AreaLevel, child_code
from cityops.geo.policy import may_build_demo_city, may_import_areas
from cityops.geo.spatial import Geometry, bbox_of, rectangle, to_geojson_text
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import SYSTEM, Actor
from cityops.kernel.clock import Clock, SystemClock

XIACHENG_CODE = "330103"  # 下城区 (GB/T 2260, before the 2021 merger)
XIACHENG_FILES = {
    AreaLevel.district: "xiacheng_district_boundary.geojson",
    AreaLevel.street: "xiacheng_streets_8.geojson",
    AreaLevel.community: "xiacheng_communities_90.geojson",
    AreaLevel.grid: "xiacheng_grids.geojson",
}


def _short_grid_name(org: str, street_names: list[str], community: str | None) -> str:
    """'石桥街道华丰社区华丰社区第二网格' → '华丰社区第二网格'."""
    name = org
    for street in street_names:
        if name.startswith(street) and len(name) > len(street):
            name = name[len(street) :]
            break
    if community and name.startswith(community * 2):
        name = name[len(community) :]
    return name


def import_hangzhou_xiacheng(
    uow: UnitOfWork,
    data_dir: Path,
    *,
    clock: Clock | None = None,
    actor: Actor = SYSTEM,
    crs: CoordSystem = CoordSystem.wgs84,
    progress: Progress | None = None,
    levels: AreaLevels | None = None,
) -> dict[str, int]:
    """Import district → 8 streets → communities → grids from `data_dir` (the folder
    hangzhou_xiacheng, or its parent). Returns the number of areas per level. A level below the
    district that `levels` marks unused is left out (its areas hang on the level above).

    Codes: district 330103; streets 330103 + 001…; communities + the source number ('SQ-3' →
    …003); grids + the source number ('SQ-3-2' → …002). Source codes stay as aliases. A
    community or grid drawn as several features becomes one area with a MultiPolygon."""
    may_import_areas(actor)
    levels = levels or AreaLevels.default()
    folder = (
        data_dir / "hangzhou_xiacheng" if (data_dir / "hangzhou_xiacheng").is_dir() else data_dir
    )
    now = (clock or SystemClock()).now()
    session = uow.session
    feats = {level: read_features(folder / name) for level, name in XIACHENG_FILES.items()}
    step = _Steps(progress, sum(len(f) for f in feats.values()))

    import_areas(
        session,
        now,
        ImportAreas(
            feats[AreaLevel.district],
            AreaLevel.district,
            code=XIACHENG_CODE,
            name="下城区",
            crs=crs,
        ),
        step.progress,
    )
    step.finish()
    street_names = [str(f.properties.get("街道", "")) for f in feats[AreaLevel.street]]
    communities = {
        str(f.properties.get("社区编码")): str(f.properties.get("社区"))
        for f in feats[AreaLevel.community]
    }
    grids = [
        SourceFeature(
            properties={
                **f.properties,
                "name": _short_grid_name(
                    str(f.properties.get("所属组织", "")),
                    street_names,
                    communities.get(str(f.properties.get("网格编号", "")).rsplit("-", 1)[0]),
                ),
            },
            shape=f.shape,
        )
        for f in feats[AreaLevel.grid]
    ]
    plans = [
        (AreaLevel.street, feats[AreaLevel.street], "街道", "街道编码", None),
        (AreaLevel.community, feats[AreaLevel.community], "社区", "社区编码", "街道编码"),
        (AreaLevel.grid, grids, "name", "网格编号", "网格编号"),
    ]
    for level, features, name_prop, code_prop, parent_prop in plans:
        if not levels.uses(level):
            continue
        import_areas(
            session,
            now,
            ImportAreas(
                features,
                level,
                parent=XIACHENG_CODE,
                name_prop=name_prop,
                code_prop=code_prop,
                parent_by_prop=parent_prop,
                crs=crs,
            ),
            step.progress,
            levels=levels,
        )
        step.finish()
    return {
        level.value: len(store.list_areas(session, level=level, code_prefix=XIACHENG_CODE))
        for level in XIACHENG_FILES
    }


class _Steps:
    """Turns per-step progress into one running total."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._total = total
        self._base = 0
        self._last = 0

    def progress(self, done: int, _total: int) -> None:
        self._last = done
        if self._progress:
            self._progress(min(self._base + done, self._total), self._total)

    def finish(self) -> None:
        self._base += self._last
        self._last = 0


# --- the demo city ---------------------------------------------------------------------------

DEMO_CITY_CODE = "330100"


# fictional district codes (33019x is unused in GB/T 2260), so the demo city never collides
# with real Hangzhou data imported beside it
_DISTRICTS = [("330191", "东湖区"), ("330192", "西岭区")]
_STREETS = [["湖滨街道", "望江街道", "清波街道"], ["文新街道", "翠苑街道", "古荡街道"]]
_COMMUNITIES = ["东园社区", "南苑社区", "西城社区"]


def generate_demo_city(
    uow: UnitOfWork,
    *,
    clock: Clock | None = None,
    actor: Actor = SYSTEM,
    origin: tuple[float, float] = (120.12, 30.25),
    community_m: float = 500.0,
    grid_rows: int = 2,
    grid_cols: int = 2,
    grids: bool = True,
) -> dict[str, int]:
    """A synthetic city around Hangzhou: 330100 示范市 → 2 districts → 3 streets each → 3
    communities each → grid_rows x grid_cols grids each (none with `grids` false: a city
    without the grid level). Districts lie side by side (west to
    east), streets stacked south to north, communities west to east; every area is a rectangle
    of about `community_m` metres per community. Returns the number of areas per level."""
    may_build_demo_city(actor)
    now = (clock or SystemClock()).now()
    session = uow.session
    lon0, lat0 = origin
    cell = rectangle(lon0, lat0, community_m, community_m)
    min_x, min_y, max_x, max_y = cell.bounds
    dlon, dlat = max_x - min_x, max_y - min_y

    def box(col: int, row: int, cols: int, rows: int) -> Geometry:
        x, y = lon0 + col * dlon, lat0 + row * dlat
        geom: Geometry = shapely.box(x, y, x + cols * dlon, y + rows * dlat)
        return geom

    new: list[store.NewArea] = []

    def add(code: str, name: str, level: AreaLevel, parent: str | None, geom: Geometry) -> None:
        new.append(
            store.NewArea(
                code=code,
                name=name,
                level=level,
                parent_code=parent,
                alias=None,
                geometry=to_geojson_text(geom),
                bbox=bbox_of(geom),
            )
        )

    n_streets, n_communities = 3, 3
    add(DEMO_CITY_CODE, "示范市", AreaLevel.city, None, box(0, 0, 2 * n_communities, n_streets))
    for d, (district_code, district_name) in enumerate(_DISTRICTS):
        left = d * n_communities
        add(
            district_code,
            district_name,
            AreaLevel.district,
            DEMO_CITY_CODE,
            box(left, 0, n_communities, n_streets),
        )
        for s in range(n_streets):
            street_code = child_code(district_code, AreaLevel.district, AreaLevel.street, s + 1)
            add(
                street_code,
                _STREETS[d][s],
                AreaLevel.street,
                district_code,
                box(left, s, n_communities, 1),
            )
            for c in range(n_communities):
                code = child_code(street_code, AreaLevel.street, AreaLevel.community, c + 1)
                name = f"{_STREETS[d][s].removesuffix('街道')}{_COMMUNITIES[c]}"
                add(code, name, AreaLevel.community, street_code, box(left + c, s, 1, 1))
    store.insert_areas(session, new, now)
    counts = {level.value: sum(a.level is level for a in new) for level in AreaLevel}
    if grids:
        layer = generate_grid_layer(
            session,
            now,
            GenerateGrids(
                tuple(a.code for a in new if a.level is AreaLevel.community),
                rows=grid_rows,
                cols=grid_cols,
            ),
        )
        counts[AreaLevel.grid.value] = layer.cells
    return counts
