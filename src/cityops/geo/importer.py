"""Writing areas: the GeoJSON importer and the generated grid layer. Called by GeoService (which
checks the policy) and by the dataset loaders in datasets.py.

Import rules, for every feature of a file (features sharing a source code are one area drawn in
several parts, merged into a MultiPolygon):
- the source code (`code_prop`) is kept as the alias; a value of 6/9/12/15 digits is taken as the
  area code itself (e.g. a GB/T 2260 `adcode`);
- the parent is the area whose alias (or code) equals `parent_by_prop`'s value, trying the value
  with trailing "-part"s removed too ('SQ-3-2' → 'SQ-3'); failing that, the deepest area above the
  imported level whose polygon holds the feature's representative point, searched inside
  `parent` when given, which is itself the last resort;
- a new area's code is its parent's code plus the next sequence (3 digits; 2 for a district under
  a city), keeping the source code's trailing number where it is free ('SQ-3' → …003);
- an area whose alias (or code) exists already at the same level is updated in place, so running
  the same import twice changes nothing;
- a level may be skipped: a grid whose feature lies in a street but in no community hangs
  directly under the street (code: the street's code plus 3 digits, from the sequence the
  street's communities use, so the codes never collide); a community directly under a district
  likewise. `--parent` must lie above the imported level;
- generated grids (`cityops geo grid`) hang under an area that has nothing else below it; when
  real areas are imported under that area (real grids into a community, communities into a
  street that had grids cut directly) its generated grids are retired — kept, so that their
  codes still resolve for cases filed in them, but no longer found by a point, listed, or
  offered for new cases. Generating skips areas with anything in use below them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from sqlalchemy.orm import Session

from cityops.geo import store
from cityops.geo.coords import CoordSystem
from cityops.geo.levels import AreaLevels
from cityops.geo.model import (
    AreaLevel,
    assign_sequences,
    child_code,
    sequence_hint,
    sequence_of,
    sequence_width,
)
from cityops.geo.spatial import (
    Geometry,
    bbox_of,
    from_geojson_dict,
    from_geojson_text,
    grid_cells,
    merge_shapes,
    shape_to_wgs84,
    to_geojson_text,
)
from cityops.kernel.errors import Conflict, NotFound, ValidationFailed

Progress = Callable[[int, int], None]
_CODE_DIGITS = re.compile(r"^(\d{6}|\d{9}|\d{12}|\d{15})$")


@dataclass(frozen=True)
class SourceFeature:
    """One feature read from a GeoJSON file: its properties and its shape (in the file's CRS)."""

    properties: Mapping[str, Any]
    shape: Geometry


@dataclass(frozen=True)
class ImportAreas:
    """import areas  # 导入区域边界"""

    features: Sequence[SourceFeature]
    level: AreaLevel
    parent: str | None = None  # code or alias of the parent, or of the subtree to search
    name_prop: str = "name"
    code_prop: str | None = None  # source code, kept as the alias
    parent_by_prop: str | None = None  # property holding the parent's alias
    crs: CoordSystem = CoordSystem.wgs84
    code: str | None = None  # explicit code, for a single area (e.g. a district)
    name: str | None = None  # explicit name, when the file has none


@dataclass(frozen=True)
class ImportResult:
    features: int
    created: tuple[str, ...]
    updated: tuple[str, ...]
    retired: tuple[str, ...] = ()  # generated grids replaced by the imported ones


@dataclass(frozen=True)
class GenerateGrids:
    """generate grids  # 生成网格: rectangular cells clipped to each area's polygon. The areas:
    communities, and streets that have no communities (grids directly under the street)."""

    area_codes: tuple[str, ...] | None = None  # None: every such area with nothing below it
    rows: int = 3
    cols: int = 3


@dataclass(frozen=True)
class GridResult:
    areas: tuple[str, ...]  # areas that received a grid layer
    cells: int
    skipped: tuple[str, ...] = field(default=())  # communities that already had grids
    levels: tuple[AreaLevel, ...] = ()  # the level of each area in `areas`


def read_features(path: Path) -> list[SourceFeature]:
    """Features of a GeoJSON FeatureCollection, Feature or bare geometry file."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(f"cannot read {path}: {exc}", code="bad_geojson") from exc
    return features_from_geojson(doc, source=str(path))


def features_from_geojson(doc: Any, *, source: str = "input") -> list[SourceFeature]:
    if not isinstance(doc, dict):
        raise ValidationFailed(f"{source} is not a GeoJSON object", code="bad_geojson")
    kind = doc.get("type")
    if kind == "FeatureCollection":
        raw = doc.get("features") or []
    elif kind == "Feature":
        raw = [doc]
    else:
        raw = [{"type": "Feature", "properties": {}, "geometry": doc}]
    out: list[SourceFeature] = []
    for i, feat in enumerate(raw):
        geometry = feat.get("geometry") if isinstance(feat, dict) else None
        if not isinstance(geometry, dict):
            raise ValidationFailed(f"{source}: feature #{i} has no geometry", code="bad_geojson")
        try:
            shape = from_geojson_dict(geometry)
        except Exception as exc:  # shapely raises GEOSException subclasses
            raise ValidationFailed(
                f"{source}: feature #{i} has an unreadable geometry: {exc}", code="bad_geojson"
            ) from exc
        out.append(SourceFeature(properties=dict(feat.get("properties") or {}), shape=shape))
    return out


# --- import ----------------------------------------------------------------------------------


@dataclass
class _Group:
    index: int  # first feature's position
    source_code: str | None
    name: str
    shape: Geometry
    parent_hint: str | None


def _prop(props: Mapping[str, Any], key: str | None) -> str | None:
    if key is None:
        return None
    value = props.get(key)
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _groups(cmd: ImportAreas) -> list[_Group]:
    grouped: dict[str, list[SourceFeature]] = {}
    first: dict[str, int] = {}
    for i, feat in enumerate(cmd.features):
        key = _prop(feat.properties, cmd.code_prop) or f"#{i}"
        grouped.setdefault(key, []).append(feat)
        first.setdefault(key, i)
    out: list[_Group] = []
    for key, feats in grouped.items():
        props = feats[0].properties
        name = _prop(props, cmd.name_prop) or cmd.name
        label = key if not key.startswith("#") else f"feature {key}"
        if not name:
            raise ValidationFailed(
                f"{label} has no {cmd.name_prop!r} property: name the property with --name-prop",
                code="name_missing",
            )
        shape = merge_shapes(shape_to_wgs84(f.shape, cmd.crs) for f in feats)
        if shape.is_empty:
            raise ValidationFailed(f"{label} ({name}) has no polygon", code="not_a_polygon")
        out.append(
            _Group(
                index=first[key],
                source_code=None if key.startswith("#") else key,
                name=name,
                shape=shape,
                parent_hint=_prop(props, cmd.parent_by_prop),
            )
        )
    if cmd.code is not None and len(out) != 1:
        raise ValidationFailed(
            f"an explicit code fits a single area, but the input holds {len(out)}",
            code="code_needs_one_area",
        )
    return out


class _Existing:
    """What is in the table already, with shapes parsed on demand."""

    def __init__(self, rows: Sequence[store.AreaRow]) -> None:
        self.by_code = {r.code: r for r in rows}
        self.by_alias = {r.alias: r for r in rows if r.alias}
        self.children: dict[str, list[str]] = {}
        for r in rows:
            if r.parent_code:
                self.children.setdefault(r.parent_code, []).append(r.code)

    def resolve(self, code_or_alias: str) -> store.AreaRow:
        row = self.by_code.get(code_or_alias) or self.by_alias.get(code_or_alias)
        if row is None:
            raise NotFound(f"no area has the code or alias {code_or_alias!r}", code="unknown_area")
        return row

    def subtree(self, code: str) -> set[str]:
        out, todo = set(), [code]
        while todo:
            current = todo.pop()
            if current not in out:
                out.add(current)
                todo.extend(self.children.get(current, ()))
        return out


def _alias_candidates(value: str) -> list[str]:
    parts = value.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def import_areas(
    session: Session,
    now: datetime,
    cmd: ImportAreas,
    progress: Progress | None = None,
    *,
    levels: AreaLevels | None = None,
) -> ImportResult:
    """Insert or update the areas of `cmd.features`; see the module docstring for the rules."""
    levels = levels or AreaLevels.default()
    groups = _groups(cmd)
    existing = _Existing(store.all_areas(session))
    scope_root = existing.resolve(cmd.parent) if cmd.parent else None
    if scope_root is not None and scope_root.level.rank >= cmd.level.rank:
        raise ValidationFailed(
            f"the parent {scope_root.code} {scope_root.name} is a {levels.label(scope_root.level)}"
            f": a {levels.label(cmd.level)} cannot lie inside it — give an area of a level "
            "above",
            code="parent_level",
        )
    scope = existing.subtree(scope_root.code) if scope_root else set(existing.by_code)
    # the areas a new one may lie in: in use, of a level above it
    above = [
        row
        for row in (existing.by_code[c] for c in sorted(scope))
        if row.level.rank < cmd.level.rank and not row.retired and levels.uses(row.level)
    ]
    above_shapes = np.array([from_geojson_text(r.geometry) for r in above], dtype=object)
    above_areas = [float(a) for a in shapely.area(above_shapes)] if above else []
    tree = shapely.STRtree(above_shapes)

    def parent_for(group: _Group) -> store.AreaRow | None:
        if group.parent_hint:
            for candidate in _alias_candidates(group.parent_hint):
                row = existing.by_alias.get(candidate) or existing.by_code.get(candidate)
                if row and row.code in scope and row.level.rank < cmd.level.rank:
                    if row.retired or not levels.uses(row.level):
                        continue
                    return row
        point = group.shape.representative_point()
        hits = [int(i) for i in tree.query(point, predicate="intersects")]
        if hits:
            hits.sort(key=lambda i: (-above[i].level.rank, above_areas[i]))
            return above[hits[0]]
        return scope_root

    created: list[store.NewArea] = []
    updated: list[str] = []
    pending: dict[str, list[tuple[_Group, int | None]]] = {}  # parent code → new children
    parents: dict[str, store.AreaRow] = {}
    explicit: list[tuple[_Group, str, store.AreaRow | None]] = []
    total = len(groups)
    for done, group in enumerate(groups, start=1):
        digits = (
            group.source_code
            if group.source_code and _CODE_DIGITS.match(group.source_code)
            else None
        )
        alias = None if digits else group.source_code
        own_code = cmd.code or digits
        current = (existing.by_code.get(own_code) if own_code else None) or (
            existing.by_alias.get(alias) if alias else None
        )
        if current is not None:
            if current.level != cmd.level:
                raise ValidationFailed(
                    f"{group.source_code or own_code} already names a "
                    f"{levels.label(current.level)} ({current.code} {current.name}), not a "
                    f"{levels.label(cmd.level)}",
                    code="alias_taken",
                )
            geometry, bbox = to_geojson_text(group.shape), bbox_of(group.shape)
            store.update_area_shape(
                session, current.code, name=group.name, geometry=geometry, bbox=bbox, now=now
            )
            updated.append(current.code)
        else:
            parent = parent_for(group)
            if own_code:
                explicit.append((group, own_code, parent))
            elif parent is None:
                raise ValidationFailed(
                    f"no parent found for the {levels.label(cmd.level)} {group.name!r} "
                    f"({group.source_code or 'feature #' + str(group.index)}): give --parent, "
                    "--parent-by-prop, or import the level above first",
                    code="parent_not_found",
                )
            else:
                parents[parent.code] = parent
                pending.setdefault(parent.code, []).append((group, sequence_hint(alias)))
        if progress:
            progress(done, total)

    def new_area(group: _Group, code: str, parent: store.AreaRow | None) -> store.NewArea:
        alias = group.source_code if group.source_code != code else None
        return store.NewArea(
            code=code,
            name=group.name,
            level=cmd.level,
            parent_code=parent.code if parent else None,
            alias=alias,
            geometry=to_geojson_text(group.shape),
            bbox=bbox_of(group.shape),
        )

    for group, code, parent in explicit:
        created.append(new_area(group, code, parent))
    for parent_code, children in pending.items():
        parent = parents[parent_code]
        width = sequence_width(parent.level, cmd.level)
        if width == 0:
            raise ValidationFailed(
                f"a {levels.label(cmd.level)} under the {levels.label(parent.level)} "
                f"{parent.code} needs an explicit code (--code, or a --code-prop holding GB/T "
                "2260 codes)",
                code="code_required",
            )
        taken = [
            sequence_of(c, parent_code, parent.level, cmd.level)
            for c in existing.children.get(parent_code, [])
        ]
        sequences = assign_sequences([hint for _, hint in children], taken, width=width)
        for (group, _), seq in zip(children, sequences, strict=True):
            code = child_code(parent_code, parent.level, cmd.level, seq)
            created.append(new_area(group, code, parent))

    codes = [a.code for a in created]
    clash = {c for c, n in Counter(codes).items() if n > 1 or c in existing.by_code}
    if clash:
        raise Conflict(f"area codes already in use: {', '.join(sorted(clash))}", code="code_taken")
    store.insert_areas(session, created, now)
    # an area receiving real areas below it (grids into a community, communities into a street
    # whose grids were cut directly) gives up its generated grids
    receiving = {a.parent_code for a in created} | {
        existing.by_code[c].parent_code for c in updated
    }
    retired = store.retire_generated_grids(
        session, sorted(c for c in receiving if c), keep=[*codes, *updated], now=now
    )
    return ImportResult(
        features=len(cmd.features),
        created=tuple(codes),
        updated=tuple(updated),
        retired=tuple(retired),
    )


# --- grid layer ------------------------------------------------------------------------------


def generate_grid_layer(
    session: Session,
    now: datetime,
    cmd: GenerateGrids,
    progress: Progress | None = None,
    *,
    levels: AreaLevels | None = None,
) -> GridResult:
    """Cut areas with nothing in use below them — communities, and streets without communities
    (`AreaLevels.grid_parents`) — into rows x cols cells (clipped to the area), marked as
    generated."""
    levels = levels or AreaLevels.default()
    if not (1 <= cmd.rows <= 50 and 1 <= cmd.cols <= 50):
        raise ValidationFailed("rows and cols must lie between 1 and 50", code="bad_grid_size")
    kinds = levels.grid_parents
    below = [lv for lv in levels.in_use if lv.rank > min(k.rank for k in kinds)]
    with_grids = store.parents_with_children(session, [AreaLevel.grid])
    with_children = store.parents_with_children(session, below)
    if cmd.area_codes is None:
        candidates = [r for kind in kinds for r in store.list_areas(session, level=kind)]
        candidates.sort(key=lambda r: r.code)
        skipped = tuple(t.code for t in candidates if t.code in with_grids)
        targets = [t for t in candidates if t.code not in with_children]
    else:
        targets = []
        for code in cmd.area_codes:
            row = store.find_area(session, code)
            if row is None:
                raise NotFound(f"no area has the code or alias {code!r}", code="unknown_area")
            if row.level not in kinds:
                wanted = " or ".join(levels.label(k) for k in kinds)
                raise ValidationFailed(
                    f"{row.code} {row.name} is a {levels.label(row.level)}: grids are cut into a "
                    f"{wanted}",
                    code="not_a_grid_parent",
                )
            if row.code in with_grids:
                raise Conflict(
                    f"{levels.label(row.level)} {row.code} {row.name} has grids already",
                    code="grids_exist",
                )
            if row.code in with_children:
                raise ValidationFailed(
                    f"{levels.label(row.level)} {row.code} {row.name} has areas below it: cut "
                    "grids into those",
                    code="grids_below",
                )
            targets.append(row)
        skipped = ()
    grid_name = levels.name(AreaLevel.grid)
    new: list[store.NewArea] = []
    for done, area in enumerate(targets, start=1):
        cells = grid_cells(from_geojson_text(area.geometry), cmd.rows, cmd.cols)
        taken = [
            sequence_of(c, area.code, area.level, AreaLevel.grid)
            for c in store.child_codes(session, area.code)
        ]
        sequences = assign_sequences([None] * len(cells), taken)
        for n, (cell, seq) in enumerate(zip(cells, sequences, strict=True), start=1):
            new.append(
                store.NewArea(
                    code=child_code(area.code, area.level, AreaLevel.grid, seq),
                    name=f"{area.name}第{n}{grid_name}",
                    level=AreaLevel.grid,
                    parent_code=area.code,
                    alias=None,
                    geometry=to_geojson_text(cell),
                    bbox=bbox_of(cell),
                    generated=True,
                )
            )
        if progress:
            progress(done, len(targets))
    store.insert_areas(session, new, now)
    return GridResult(
        areas=tuple(t.code for t in targets),
        cells=len(new),
        skipped=skipped,
        levels=tuple(t.level for t in targets),
    )
