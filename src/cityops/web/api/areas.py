"""API: areas (区/街道/社区/网格 — or the names this deployment gives its levels) and point → area
lookup.

These reads need no login: the city map is public. Changing areas is done by administrators
through the CLI (`cityops geo import`, `cityops geo grid`). `level` is the level's stable
identifier (city, district, street, community, grid); `level_name` what this deployment calls it
(CITYOPS_AREA_LEVELS; GET /areas/levels has both languages)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from cityops.geo import public as geo
from cityops.web.deps import PlatformDep, PublicReads, ReadSession

router = APIRouter(prefix="/api/v1", tags=["areas"])


class AreaPublic(BaseModel):
    code: str = Field(examples=["330103001003"])
    name: str = Field(examples=["华丰社区"])
    level: geo.AreaLevel = Field(description="the level's identifier (stable)")
    level_name: str = Field(
        examples=["社区"], description="what this deployment calls the level (zh-CN)"
    )
    alias: str | None = Field(default=None, examples=["SQ-3"])

    @classmethod
    def of(cls, ref: geo.AreaRef, levels: geo.AreaLevels) -> AreaPublic:
        return cls(
            code=ref.code,
            name=ref.name,
            level=ref.level,
            level_name=levels.name(ref.level),
            alias=ref.alias,
        )


class AreaProperties(AreaPublic):
    parent_code: str | None
    generated: bool = Field(default=False, description="a grid cut by `cityops geo grid`")
    retired: bool = Field(
        default=False, description="no longer in use (a generated grid replaced by real ones)"
    )


class AreaFeaturePublic(BaseModel):
    """A GeoJSON Feature; `id` is the area code."""

    type: Literal["Feature"] = "Feature"
    id: str
    bbox: tuple[float, float, float, float]
    geometry: dict[str, Any]
    properties: AreaProperties

    @classmethod
    def of(cls, feature: geo.AreaFeature, levels: geo.AreaLevels) -> AreaFeaturePublic:
        ref = feature.ref
        return cls(
            id=ref.code,
            bbox=feature.bbox,
            geometry=dict(feature.geometry),
            properties=AreaProperties(
                code=ref.code,
                name=ref.name,
                level=ref.level,
                level_name=levels.name(ref.level),
                alias=ref.alias,
                parent_code=feature.parent_code,
                generated=ref.generated,
                retired=ref.retired,
            ),
        )


class AreaCollectionPublic(BaseModel):
    """A GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[AreaFeaturePublic]


class AreaLocatePublic(BaseModel):
    """The areas holding a point, from the top down; `lon`/`lat` are the point in WGS84."""

    chain: list[AreaPublic]
    smallest: AreaPublic
    lon: float
    lat: float


class LevelNamePublic(BaseModel):
    zh: str = Field(alias="zh-CN", examples=["街道"])
    en: str = Field(examples=["Street"])


class AreaLevelPublic(BaseModel):
    """One area level: its stable identifier, what this deployment calls it, and whether the
    city uses it (a level not in use is neither imported, listed nor located)."""

    level: geo.AreaLevel
    name: LevelNamePublic
    in_use: bool


CrsQuery = Annotated[
    geo.CoordSystem,
    Query(description="coordinate system of the input/output: wgs84 (GPS) or gcj02 (AMap)"),
]


@router.get("/areas", response_model=AreaCollectionPublic, dependencies=[PublicReads])
def list_areas(
    platform: PlatformDep,
    session: ReadSession,
    level: Annotated[geo.AreaLevel | None, Query()] = None,
    parent: Annotated[
        str | None, Query(max_length=64, description="code or alias; its direct children")
    ] = None,
    crs: CrsQuery = geo.CoordSystem.wgs84,
) -> AreaCollectionPublic:
    """Areas as GeoJSON (public, no login). A level the deployment does not use has none."""
    features = platform.geo.list_features(session, level, parent, crs)
    levels = platform.geo.levels
    return AreaCollectionPublic(features=[AreaFeaturePublic.of(f, levels) for f in features])


@router.get("/areas/levels", response_model=list[AreaLevelPublic], dependencies=[PublicReads])
def list_levels(platform: PlatformDep) -> list[AreaLevelPublic]:
    """The area levels from the top down, with the names this deployment gives them (zh-CN and
    English; CITYOPS_AREA_LEVELS) and whether each is in use (public, no login)."""
    return [AreaLevelPublic.model_validate(entry) for entry in platform.geo.levels.describe()]


@router.get("/areas/locate", response_model=AreaLocatePublic, dependencies=[PublicReads])
def locate(
    platform: PlatformDep,
    session: ReadSession,
    lon: Annotated[float, Query(ge=-180, le=180, description="longitude")],
    lat: Annotated[float, Query(ge=-90, le=90, description="latitude")],
    crs: CrsQuery = geo.CoordSystem.wgs84,
) -> AreaLocatePublic:
    """The chain of areas (district → street → community → grid) holding a point (public).
    A point in no grid gets the smallest area that holds it; outside the city: 422."""
    chain = platform.geo.locate(session, lon, lat, crs)
    wlon, wlat = platform.geo.to_wgs84(lon, lat, crs)
    levels = platform.geo.levels
    return AreaLocatePublic(
        chain=[AreaPublic.of(a, levels) for a in chain.areas],
        smallest=AreaPublic.of(chain.smallest, levels),
        lon=wlon,
        lat=wlat,
    )


class PlaceHitPublic(BaseModel):
    """An area found by the address search, with a point inside it standing for it."""

    code: str
    name: str
    level: geo.AreaLevel
    level_name: str
    lon: float
    lat: float
    chain: list[AreaPublic]


@router.get("/areas/search", response_model=list[PlaceHitPublic], dependencies=[PublicReads])
def search_places(
    platform: PlatformDep,
    session: ReadSession,
    q: Annotated[str, Query(max_length=100, description="an address or part of an area's name")],
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
    crs: CrsQuery = geo.CoordSystem.wgs84,
) -> list[PlaceHitPublic]:
    """地址搜索 over the city's own areas (public; no outside geocoder is used or reachable):
    the street, community or grid a whole address names first, then the areas whose name, code
    or alias holds `q`, larger first. The point (in `crs`) lies inside the area; a place found
    this way is approximate — the spot is then picked on the map."""
    levels = platform.geo.levels
    out = []
    for hit in platform.geo.search_places(session, q, limit):
        lon, lat = platform.geo.from_wgs84(hit.lon, hit.lat, crs)
        out.append(
            PlaceHitPublic(
                code=hit.area.code,
                name=hit.area.name,
                level=hit.area.level,
                level_name=levels.name(hit.area.level),
                lon=lon,
                lat=lat,
                chain=[AreaPublic.of(a, levels) for a in hit.chain.areas],
            )
        )
    return out


@router.get("/areas/{code}", response_model=AreaFeaturePublic, dependencies=[PublicReads])
def get_area(
    platform: PlatformDep, session: ReadSession, code: str, crs: CrsQuery = geo.CoordSystem.wgs84
) -> AreaFeaturePublic:
    """One area as a GeoJSON Feature, by code or alias (public, no login)."""
    return AreaFeaturePublic.of(platform.geo.get_feature(session, code, crs), platform.geo.levels)
