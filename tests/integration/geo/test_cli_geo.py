"""`cityops geo import | grid | locate | import-hangzhou` against the test database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityops.app import Platform
from cityops.cli import app as cli
from cityops.geo.public import AreaLevel

from .conftest import source_shapes

Run = Callable[..., tuple[int, str]]


@pytest.fixture
def run(db_url: str, platform: Platform) -> Run:
    """run(*args) -> (exit code, output with whitespace collapsed), over the test database."""
    runner = CliRunner()

    def _run(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli, list(args), env={"CITYOPS_DATABASE_URL": db_url})
        return result.exit_code, " ".join(result.output.split())

    return _run


def test_import_level_by_level_then_generate_grids(
    run: Run, platform: Platform, shared_data: Path
) -> None:
    data = shared_data / "hangzhou_xiacheng"
    code, out = run(
        "geo", "import", str(data / "xiacheng_district_boundary.geojson"),
        "--level", "district", "--code", "330103", "--name", "下城区",
    )  # fmt: skip
    assert code == 0, out
    assert "1 区 (district) areas created" in out
    code, out = run(
        "geo", "import", str(data / "xiacheng_streets_8.geojson"), "--level", "street",
        "--parent", "330103", "--name-prop", "街道", "--code-prop", "街道编码",
    )  # fmt: skip
    assert code == 0, out
    assert "8 街道 (street) areas created" in out
    code, out = run(
        "geo", "import", str(data / "xiacheng_communities_90.geojson"), "--level", "community",
        "--parent", "330103", "--name-prop", "社区", "--code-prop", "社区编码",
        "--parent-by-prop", "街道编码",
    )  # fmt: skip
    assert code == 0, out
    assert "75 社区 (community) areas created, 0 updated from 90 features" in out

    code, out = run("geo", "grid", "--community", "SQ-3", "--rows", "2", "--cols", "2")
    assert code == 0, out
    code, out = run("geo", "grid", "--all", "--rows", "2", "--cols", "2")
    assert code == 0, out
    assert "in 74 社区 (community); 1 already had grids" in out
    with platform.read() as s:
        sq3 = platform.geo.list_areas(s, AreaLevel.grid, "SQ-3")
        assert [a.code for a in sq3] == [f"330103001003{n:03d}" for n in range(1, len(sq3) + 1)]
        grids = platform.geo.list_areas(s, AreaLevel.grid)
    assert 75 <= len(grids) <= 75 * 4

    inside = source_shapes(shared_data, "xiacheng_communities_90.geojson", "社区编码")["SQ-3"]
    point = inside.representative_point()
    code, out = run("geo", "locate", str(point.x), str(point.y))
    assert code == 0, out
    assert "│ 330103001003 │ 华丰社区 │ SQ-3 │" in out
    assert "│ 网格 (grid) │ 330103001003" in out  # one of the generated grids


def test_errors_exit_1_with_the_message(run: Run, shared_data: Path) -> None:
    data = shared_data / "hangzhou_xiacheng"
    code, out = run(
        "geo", "import", str(data / "xiacheng_streets_8.geojson"), "--level", "street",
        "--name-prop", "街道",
    )  # fmt: skip
    assert code == 1
    assert "parent_not_found" in out
    code, out = run("geo", "grid", "--community", "SQ-3")
    assert code == 1
    assert "unknown_area" in out
    code, out = run("geo", "locate", "0", "0")
    assert code == 1
    assert "outside_city" in out


def test_import_hangzhou_in_one_command(run: Run, platform: Platform, shared_data: Path) -> None:
    code, out = run("geo", "import-hangzhou", str(shared_data))
    assert code == 0, out
    assert "1 区 (district), 8 街道 (street), 75 社区 (community), 297 网格 (grid)" in out
    with platform.read() as s:
        assert platform.geo.get_area(s, "SQ-3-2").code == "330103001003002"
