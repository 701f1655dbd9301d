"""Geo fixtures: the real Hangzhou 下城区 hierarchy imported through the use case, and the source
files read directly (to pick test points independently of what was stored)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM


@pytest.fixture
def hangzhou(platform: Platform, shared_data: Path) -> Platform:
    """The platform with 下城区 → streets → communities → grids imported."""
    with platform.uow() as uow:
        platform.geo.import_hangzhou_xiacheng(uow, SYSTEM, shared_data)
    return platform


def source_shapes(shared_data: Path, file: str, code_prop: str) -> dict[str, Any]:
    """Source code → merged shapely shape, straight from a file of the data set."""
    doc = json.loads((shared_data / "hangzhou_xiacheng" / file).read_text(encoding="utf-8"))
    parts: dict[str, list[Any]] = {}
    for feat in doc["features"]:
        parts.setdefault(feat["properties"][code_prop], []).append(
            shapely.make_valid(shape(feat["geometry"]))
        )
    return {code: shapely.union_all(p) for code, p in parts.items()}
