"""GeoJSON for tests that import areas: shapely shapes with their properties as a collection."""

from __future__ import annotations

from typing import Any

import shapely.geometry


def feature_collection(*features: tuple[dict[str, Any], Any]) -> dict[str, Any]:
    """`feature_collection((props, shape), …)`: a FeatureCollection of those features."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": p, "geometry": shapely.geometry.mapping(g)}
            for p, g in features
        ],
    }
