"""A deployment that names its area levels as a county does (县 → 乡镇 → 行政村 → 网格) or uses no
grid level: the names reach the API, the UI dictionaries and pages, exports and the CLI; the
level identifiers stay as they are."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from case_city import GRID, PASSWORD, STREET, City, build_city
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cityops.app import Platform, build_platform
from cityops.cli import app as cli
from cityops.geo.public import AreaLevel, GenerateGrids, ImportAreas, features_from_geojson
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock
from cityops.kernel.errors import ValidationFailed
from cityops.web.app import create_app

COUNTY: dict[str, Any] = {
    "district": {"zh-CN": "县", "en": "County"},
    "street": {"zh-CN": "乡镇", "en": "Township"},
    "community": {"zh-CN": "行政村", "en": "Village"},
}
NO_GRIDS: dict[str, Any] = {"grid": {"in_use": False}}
COMMUNITY = GRID[:12]  # 湖滨东园社区, the demo grid's community


def _platform(db_url: str, tmp_path: Path, clock: FixedClock, levels: Any) -> Platform:
    settings = Settings(
        env="test",
        database_url=db_url,
        router_model_dir=tmp_path / "no-model",
        area_levels=levels,
    )
    return build_platform(settings, clock=clock, migrate=False)


@pytest.fixture
def county(db_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[City]:
    platform = _platform(db_url, tmp_path, clock, COUNTY)
    with TestClient(create_app(platform)) as client:
        yield build_city(platform, client)
    platform.close()


@pytest.fixture
def gridless(db_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[City]:
    """The demo city with its grids cut (by a deployment that used them), now run without."""
    before = _platform(db_url, tmp_path, clock, None)
    with before.uow() as uow:
        before.geo.generate_demo_city(uow, SYSTEM)
    before.close()
    platform = _platform(db_url, tmp_path, clock, NO_GRIDS)
    with TestClient(create_app(platform)) as client:
        yield City(platform=platform, client=client)
    platform.close()


def test_the_levels_endpoint_names_them_in_both_languages(county: City) -> None:
    res = county.client.get("/api/v1/areas/levels")
    assert res.status_code == 200, res.text
    assert res.json() == [
        {"level": "city", "name": {"zh-CN": "市", "en": "City"}, "in_use": True},
        {"level": "district", "name": {"zh-CN": "县", "en": "County"}, "in_use": True},
        {"level": "street", "name": {"zh-CN": "乡镇", "en": "Township"}, "in_use": True},
        {"level": "community", "name": {"zh-CN": "行政村", "en": "Village"}, "in_use": True},
        {"level": "grid", "name": {"zh-CN": "网格", "en": "Grid"}, "in_use": True},
    ]


def test_api_answers_keep_the_identifier_and_carry_the_configured_name(county: City) -> None:
    lon, lat = county.point_in(GRID)
    chain = county.client.get("/api/v1/areas/locate", params={"lon": lon, "lat": lat}).json()
    assert [(a["level"], a["level_name"]) for a in chain["chain"]] == [
        ("city", "市"),
        ("district", "县"),
        ("street", "乡镇"),
        ("community", "行政村"),
        ("grid", "网格"),
    ]
    feature = county.client.get(f"/api/v1/areas/{STREET}").json()
    assert (feature["properties"]["level"], feature["properties"]["level_name"]) == (
        "street",
        "乡镇",
    )


def test_the_ui_dictionaries_carry_the_configured_names(county: City) -> None:
    zh = county.client.get("/i18n/zh-CN.json")
    assert zh.status_code == 200, zh.text
    strings = zh.json()
    assert (strings["level.district"], strings["level.street"]) == ("县", "乡镇")
    assert strings["portal.area"] == "所在乡镇/行政村"
    assert strings["citizen.by_street"] == "按乡镇"
    assert not [k for k, v in strings.items() if "{level." in v]
    en = county.client.get("/i18n/en.json").json()
    assert (en["citizen.by_street"], en["portal.area"]) == ("By township", "Township or village")
    missing = county.client.get("/i18n/fr.json")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "unknown_language")


def test_the_default_dictionaries_read_as_before(client: TestClient) -> None:
    strings = client.get("/i18n/zh-CN.json").json()
    assert (strings["portal.area"], strings["cases.f_area"]) == ("所在街道/社区", "街道")
    assert client.get("/i18n/en.json").json()["citizen.no_street"] == "(no street)"


def test_console_pages_render_the_configured_names(county: City) -> None:
    signed_in = county.client.post(  # console pages need a session
        "/api/v1/auth/session", data={"username": "lead", "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    page = county.client.get("/map")
    assert page.status_code == 200
    assert '<option value="street" data-i18n="level.street">乡镇</option>' in page.text
    assert '<option value="community" data-i18n="level.community">行政村</option>' in page.text
    county.client.cookies.set("cityops_lang", "en")
    citizen = county.client.get("/console/citizen")
    assert "By township" in citizen.text


def test_exports_head_the_area_columns_with_the_configured_names(county: City) -> None:
    county.create()
    res = county.client.get(
        "/api/v1/cases/export", params={"format": "csv"}, headers=county.auth("op")
    )
    assert res.status_code == 200, res.text
    header = next(csv.reader(io.StringIO(res.content.decode("utf-8-sig"))))
    assert header[7:11] == ["县", "乡镇", "行政村", "网格"]


def test_the_cli_shows_the_configured_names(county: City, db_url: str) -> None:
    env = {"CITYOPS_DATABASE_URL": db_url, "CITYOPS_AREA_LEVELS": json.dumps(COUNTY)}
    lon, lat = county.point_in(GRID)
    result = CliRunner().invoke(cli, ["geo", "locate", str(lon), str(lat)], env=env)
    assert result.exit_code == 0, result.output
    assert "乡镇 (street)" in result.output
    assert "行政村 (community)" in result.output
    result = CliRunner().invoke(cli, ["geo", "levels"], env=env)
    assert result.exit_code == 0, result.output
    assert "Township" in result.output


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"CITYOPS_AREA_LEVELS": '{"ward": "片区"}'}, "unknown level ward"),
        ({"CITYOPS_AREA_LEVELS_FILE": "/nonexistent/levels.yaml"}, "cannot read"),
    ],
)
def test_a_configuration_that_cannot_be_read_stops_the_cli(
    db_url: str, env: dict[str, str], words: str
) -> None:
    result = CliRunner().invoke(cli, ["geo", "levels"], env={"CITYOPS_DATABASE_URL": db_url, **env})
    assert result.exit_code == 1
    assert "error (bad_area_levels)" in result.output
    assert words in " ".join(result.output.split())


def test_without_the_grid_level_locate_ends_at_the_community(gridless: City) -> None:
    platform, api = gridless.platform, gridless.client
    lon, lat = gridless.point_in(COMMUNITY)
    chain = api.get("/api/v1/areas/locate", params={"lon": lon, "lat": lat}).json()
    assert chain["smallest"]["code"] == COMMUNITY
    assert [a["level"] for a in chain["chain"]][-1] == "community"
    assert api.get("/api/v1/areas", params={"level": "grid"}).json()["features"] == []
    assert [
        f["id"] for f in api.get("/api/v1/areas", params={"parent": COMMUNITY}).json()["features"]
    ] == []
    assert 'data-i18n="level.grid"' not in api.get("/map").text
    with platform.read() as s:
        old = platform.geo.chain_of(s, GRID)  # what was filed in a grid keeps its place
    assert (old.smallest.level, old.at(AreaLevel.community).code) == (  # type: ignore[union-attr]
        AreaLevel.grid,
        COMMUNITY,
    )


def test_without_the_grid_level_grids_are_neither_imported_nor_cut(gridless: City) -> None:
    platform = gridless.platform
    grid = ImportAreas(
        features_from_geojson({"type": "Polygon", "coordinates": [[[120.12, 30.25]] * 4]}),
        AreaLevel.grid,
    )
    for attempt in (
        lambda uow: platform.geo.import_areas(uow, SYSTEM, grid),
        lambda uow: platform.geo.generate_grids(uow, SYSTEM, GenerateGrids()),
    ):
        with pytest.raises(ValidationFailed) as err, platform.uow() as uow:
            attempt(uow)
        assert err.value.code == "level_not_in_use"
        assert "the 网格 (grid) level is not in use" in err.value.message
