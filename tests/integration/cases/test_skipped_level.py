"""A county where a level is skipped: 二镇 has no communities, its grids lie directly under it
(imported with `cityops geo import --level grid --parent <street>`), and 三镇 has nothing below
it until `geo grid` cuts it. Import, the codes, locate, a case filed, routed and dispatched
there, who sees it, and the indicators by street — through the CLI and HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shapely
import shapely.geometry
from case_city import PASSWORD, City, _category
from fastapi.testclient import TestClient
from geo_shapes import feature_collection
from typer.testing import CliRunner

from cityops.app import Platform
from cityops.cli import app as cli
from cityops.geo.public import AreaLevel, ImportAreas, features_from_geojson
from cityops.kernel.actor import SYSTEM
from cityops.kernel.errors import ValidationFailed
from cityops.org.public import DepartmentKind, NewDepartment, NewUser

# 测试县 121.00..121.04 x 31.00..31.03: 一街道 (west, one community), 二镇 (east, two grids and no
# community), 三镇 (north strip, nothing below it)
COUNTY = shapely.box(121.00, 31.00, 121.04, 31.03)
S1 = shapely.box(121.00, 31.00, 121.02, 31.02)
S2 = shapely.box(121.02, 31.00, 121.04, 31.02)
S3 = shapely.box(121.00, 31.02, 121.04, 31.03)
C1 = S1
G2_WEST = shapely.box(121.02, 31.00, 121.03, 31.02)
G2_EAST = shapely.box(121.03, 31.00, 121.04, 31.02)
TOWN2, TOWN3 = "330199002", "330199003"
GRID2_WEST, GRID2_EAST = "330199002001", "330199002002"  # the street's code + 3 digits


@pytest.fixture
def cli_run(db_url: str) -> Any:
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli, list(args), env={"CITYOPS_DATABASE_URL": db_url})
        return result.exit_code, " ".join(result.output.split())

    return run


@pytest.fixture
def county(platform: Platform, client: TestClient, cli_run: Any, tmp_path: Path) -> City:
    with platform.uow() as uow:
        for cmd in [
            ImportAreas(
                features_from_geojson(feature_collection(({}, COUNTY))),
                AreaLevel.district,
                code="330199",
                name="测试县",
            ),
            ImportAreas(
                features_from_geojson(
                    feature_collection(
                        ({"name": "一街道", "code": "S1"}, S1),
                        ({"name": "二镇", "code": "S2"}, S2),
                        ({"name": "三镇", "code": "S3"}, S3),
                    )
                ),
                AreaLevel.street,
                parent="330199",
                code_prop="code",
            ),
            ImportAreas(
                features_from_geojson(feature_collection(({"name": "一社区", "code": "S1-1"}, C1))),
                AreaLevel.community,
                parent="S1",
                code_prop="code",
            ),
        ]:
            platform.geo.import_areas(uow, SYSTEM, cmd)
    grids = tmp_path / "grids.geojson"
    grids.write_text(
        json.dumps(
            feature_collection(
                ({"name": "二镇第一网格", "code": "G2-1"}, G2_WEST),
                ({"name": "二镇第二网格", "code": "G2-2"}, G2_EAST),
            )
        ),
        encoding="utf-8",
    )
    code, out = cli_run(
        "geo", "import", str(grids), "--level", "grid", "--parent", TOWN2, "--code-prop", "code"
    )
    assert code == 0, out
    assert "2 网格 (grid) areas created" in out
    with platform.uow() as uow:
        for dept, name, kind, area in [
            ("CGJ", "城市管理局", DepartmentKind.city_department, None),
            ("ST_2", "二镇人民政府", DepartmentKind.street_office, TOWN2),
            ("XZF", "测试县人民政府", DepartmentKind.district_government, "330199"),
        ]:
            platform.org.create_department(
                uow, SYSTEM, NewDepartment(code=dept, name=name, kind=kind, area_code=area)
            )
        for username, spec in {
            "op": {"roles": ["operator"]},
            "disp": {"roles": ["dispatcher"]},
            "disp2": {"roles": ["dispatcher"], "area_codes": (TOWN2,)},
            "disp1": {"roles": ["dispatcher"], "area_codes": ("330199001",)},
            "boss": {"roles": ["leader"]},
            "h_st2": {"roles": ["handler"], "department_code": "ST_2"},
            "insp2": {"roles": ["inspector"], "area_codes": (TOWN2,)},
        }.items():
            platform.org.create_user(
                uow,
                SYSTEM,
                NewUser(username=username, password=PASSWORD, display_name=username, **spec),
            )
        platform.taxonomy.upsert_category(uow, SYSTEM, _category("E90", "测试事件"))
        platform.taxonomy.upsert_category(uow, SYSTEM, _category("E9002", "暴露垃圾"))
    return City(platform=platform, client=client)


def _litter(city: City, user: str = "op", **fields: Any) -> dict[str, Any]:
    return city.create(
        user, category_code="E9002", title="暴露垃圾", description="路边有暴露垃圾", **fields
    )


def test_grids_under_a_street_get_the_streets_code_and_locate_skips_the_community(
    county: City,
) -> None:
    api = county.client
    listed = api.get("/api/v1/areas", params={"parent": TOWN2}).json()["features"]
    assert [(f["id"], f["properties"]["level"]) for f in listed] == [
        (GRID2_WEST, "grid"),
        (GRID2_EAST, "grid"),
    ]
    res = api.get("/api/v1/areas/locate", params={"lon": 121.025, "lat": 31.01})
    assert res.status_code == 200, res.text
    assert [(a["level"], a["code"], a["level_name"]) for a in res.json()["chain"]] == [
        ("district", "330199", "区"),
        ("street", TOWN2, "街道"),
        ("grid", GRID2_WEST, "网格"),
    ]


def test_a_case_there_is_routed_to_the_street_office_dispatched_and_counted_by_street(
    county: City,
) -> None:
    lon, lat = county.point_in(GRID2_EAST)
    case = _litter(county, lon=lon, lat=lat, area_code=None)
    assert case["area"]["street"] == {"code": TOWN2, "name": "二镇"}
    assert case["area"]["community"] is None
    assert case["area"]["grid"]["code"] == GRID2_EAST
    assert case["suggested_department"]["code"] == "ST_2"
    case = county.act("disp", county.act("op", case, "register"), "dispatch")
    assert case["department"]["code"] == "ST_2"
    case = county.act("h_st2", case, "sign")
    assert case["status"] == "in_progress"

    # an inspector of the street files by the grid's code; the street's dispatcher sees both,
    # the other street's dispatcher neither (scoping by code prefix)
    by_code = _litter(county, "insp2", area_code=GRID2_WEST, source="inspector")
    assert by_code["area"]["street"]["code"] == TOWN2
    for user, seen in [("disp2", {case["id"], by_code["id"]}), ("disp1", set())]:
        page = county.client.get("/api/v1/cases", headers=county.auth(user)).json()
        assert {c["id"] for c in page["items"]} == seen, user

    day = county.platform.clock.now().date().isoformat()
    res = county.client.get(
        "/api/v1/indicators/cases",
        params={"group_by": "area", "from": day, "to": day},
        headers=county.auth("boss"),
    )
    assert res.status_code == 200, res.text
    rows = {r["group_code"]: r for r in res.json()["rows"]}
    assert set(rows) == {TOWN2}
    assert rows[TOWN2]["group_name"] == "二镇"
    assert (rows[TOWN2]["counts"]["reported"], rows[TOWN2]["counts"]["dispatched"]) == (2, 1)


def test_geo_grid_cuts_a_street_without_communities_and_communities_imported_later_replace_them(
    county: City, cli_run: Any
) -> None:
    code, out = cli_run("geo", "grid", "--all", "--rows", "1", "--cols", "2")
    assert code == 0, out
    # 一社区 and 三镇 have nothing below them; 二镇 has its grids; 一街道 has its community
    assert "4 网格 (grid) areas in 1 街道 (street) and 1 社区 (community)" in out
    assert "1 already had grids" in out
    platform = county.platform
    with platform.read() as s:
        cut = [a.code for a in platform.geo.list_areas(s, AreaLevel.grid, TOWN3)]
        assert cut == [f"{TOWN3}001", f"{TOWN3}002"]
        assert platform.geo.locate(s, 121.035, 31.025).smallest.code == f"{TOWN3}002"

    # a matter filed there goes to the county government: 三镇 has no office (属地兜底)
    lon, lat = county.point_in(f"{TOWN3}002")
    assert _litter(county, lon=lon, lat=lat, area_code=None)["suggested_department"]["code"] == (
        "XZF"
    )
    code, out = cli_run("geo", "grid", "--area", TOWN3)
    assert code == 1
    assert "(grids_exist): 街道 (street) 330199003 三镇 has grids already" in out

    # the village drawn later takes the next free code and retires the cut grids
    with platform.uow() as uow:
        result = platform.geo.import_areas(
            uow,
            SYSTEM,
            ImportAreas(
                features_from_geojson(feature_collection(({"name": "三村", "code": "S3-1"}, S3))),
                AreaLevel.community,
                parent=TOWN3,
                code_prop="code",
            ),
        )
    assert result.created == (f"{TOWN3}003",)
    assert result.retired == (f"{TOWN3}001", f"{TOWN3}002")
    with platform.read() as s:
        chain = platform.geo.locate(s, 121.035, 31.025)
        assert [a.code for a in chain.areas] == ["330199", TOWN3, f"{TOWN3}003"]
        assert platform.geo.chain_of(s, f"{TOWN3}002").smallest.retired  # the case keeps it


def test_a_parent_below_the_imported_level_is_refused(county: City) -> None:
    cmd = ImportAreas(
        features_from_geojson(feature_collection(({"name": "错村"}, G2_WEST))),
        AreaLevel.community,
        parent=GRID2_WEST,
    )
    with pytest.raises(ValidationFailed) as err, county.platform.uow() as uow:
        county.platform.geo.import_areas(uow, SYSTEM, cmd)
    assert err.value.code == "parent_level"
    assert f"{GRID2_WEST} 二镇第一网格 is a 网格 (grid)" in err.value.message
