"""What other parts of cityops may use from geo. Area codes are hierarchical string prefixes
below the district (district 330103, street 330103001, community 330103001002, grid
330103001002003), so "is X inside Y" is `X.startswith(Y)` from the district down; the city
(e.g. 330100) is the root above its districts."""

from __future__ import annotations

from cityops.geo.coords import (
    CoordSystem,
    distance_m,
    gcj02_to_wgs84,
    out_of_china,
    wgs84_to_gcj02,
)
from cityops.geo.datasets import (
    DEMO_CITY_CODE,
    XIACHENG_CODE,
    generate_demo_city,
    import_hangzhou_xiacheng,
)
from cityops.geo.importer import (
    GenerateGrids,
    GridResult,
    ImportAreas,
    ImportResult,
    SourceFeature,
    features_from_geojson,
    read_features,
)
from cityops.geo.levels import AreaLevels, load_area_levels, parse_area_levels
from cityops.geo.model import LEVELS, AreaChain, AreaFeature, AreaLevel, AreaRef, PlaceMatch
from cityops.geo.service import GeoService

__all__ = [
    "DEMO_CITY_CODE",
    "LEVELS",
    "XIACHENG_CODE",
    "AreaChain",
    "AreaFeature",
    "AreaLevel",
    "AreaLevels",
    "AreaRef",
    "CoordSystem",
    "GenerateGrids",
    "GeoService",
    "GridResult",
    "ImportAreas",
    "ImportResult",
    "PlaceMatch",
    "SourceFeature",
    "distance_m",
    "features_from_geojson",
    "gcj02_to_wgs84",
    "generate_demo_city",
    "import_hangzhou_xiacheng",
    "load_area_levels",
    "out_of_china",
    "parse_area_levels",
    "read_features",
    "wgs84_to_gcj02",
]
