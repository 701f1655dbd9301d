"""The city map's basemap by setting: a PMTiles file served by HTTP range requests, an MBTiles
file tile by tile (the TMS row flipped), an online raster source named in the configuration,
and 404s when the setting names another basemap."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityops.app import Platform, build_platform
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock
from cityops.org.public import NewUser
from cityops.web.app import create_app

PASSWORD = "correct horse battery"
BLOB = bytes(range(256)) * 40  # 10,240 bytes, every offset's byte known


def _mbtiles(path: Path) -> Path:
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
            "tile_data BLOB)"
        )
        db.executemany(
            "INSERT INTO metadata VALUES (?, ?)",
            [("format", "png"), ("minzoom", "1"), ("maxzoom", "3"), ("name", "t")],
        )
        # z=2, x=1: TMS row 0 is the southernmost, XYZ y=3
        db.executemany(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)",
            [(2, 1, 0, b"\x89PNG south"), (2, 1, 3, b"\x89PNG north")],
        )
        db.commit()
    return path


@pytest.fixture
def make_client(settings: Settings, clock: FixedClock, tmp_path: Path) -> Iterator[Any]:
    made: list[tuple[Platform, TestClient]] = []

    def make(**basemap: Any) -> tuple[TestClient, dict[str, str]]:
        platform = build_platform(settings.model_copy(update=basemap), clock=clock, migrate=False)
        client = TestClient(create_app(platform))
        client.__enter__()
        made.append((platform, client))
        with platform.uow() as uow:  # the same database for every platform of a test
            for name, roles in (("boss", ["leader"]), ("cit", ["citizen"])):
                if len(made) == 1:
                    platform.org.create_user(
                        uow,
                        SYSTEM,
                        NewUser(username=name, password=PASSWORD, display_name=name, roles=roles),
                    )
        with platform.read() as s:
            tokens = {
                name: platform.org.access_token_for_user(s, name).access_token
                for name in ("boss", "cit")
            }
        return client, tokens

    yield make
    for platform, client in made:
        client.__exit__(None, None, None)
        platform.close()


def _auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def test_pmtiles_is_served_by_range_requests(make_client: Any, tmp_path: Path) -> None:
    path = tmp_path / "city.pmtiles"
    path.write_bytes(BLOB)
    client, tokens = make_client(basemap="pmtiles", basemap_file=path)
    boss = tokens["boss"]
    url = "/basemap/tiles.pmtiles"
    first = client.get(url, headers=_auth(boss, Range="bytes=0-126"))
    assert first.status_code == 206
    assert first.content == BLOB[:127]
    assert first.headers["content-range"] == f"bytes 0-126/{len(BLOB)}"
    assert first.headers["accept-ranges"] == "bytes"
    middle = client.get(url, headers=_auth(boss, Range="bytes=1000-1999"))
    assert middle.content == BLOB[1000:2000]
    suffix = client.get(url, headers=_auth(boss, Range="bytes=-100"))
    assert suffix.status_code == 206
    assert suffix.content == BLOB[-100:]
    assert suffix.headers["content-range"] == f"bytes {len(BLOB) - 100}-{len(BLOB) - 1}/{len(BLOB)}"
    open_end = client.get(url, headers=_auth(boss, Range="bytes=10200-"))
    assert open_end.content == BLOB[10200:]
    past_end = client.get(url, headers=_auth(boss, Range=f"bytes={len(BLOB)}-"))
    assert past_end.status_code == 416
    assert past_end.headers["content-range"] == f"bytes */{len(BLOB)}"
    assert client.get(url, headers=_auth(boss, Range="bytes=-0")).status_code == 416
    whole = client.get(url, headers=_auth(boss))
    assert whole.status_code == 200
    assert whole.content == BLOB
    # a changed file (If-Range not its ETag) comes whole
    stale = client.get(url, headers=_auth(boss, Range="bytes=0-9", **{"If-Range": '"old"'}))
    assert stale.status_code == 200
    assert stale.content == BLOB
    config = client.get("/api/v1/citymap/basemap", headers=_auth(boss)).json()
    assert (config["kind"], config["url"], config["crs"]) == ("pmtiles", url, "wgs84")
    assert client.get(url, headers=_auth(tokens["cit"])).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get("/basemap/2/1/0", headers=_auth(boss)).status_code == 404


def test_mbtiles_tiles_come_with_the_row_flipped(make_client: Any, tmp_path: Path) -> None:
    path = _mbtiles(tmp_path / "city.mbtiles")
    client, tokens = make_client(basemap="mbtiles", basemap_file=path)
    boss = tokens["boss"]
    north = client.get("/basemap/2/1/0", headers=_auth(boss))
    assert north.status_code == 200
    assert north.content == b"\x89PNG north"
    assert north.headers["content-type"] == "image/png"
    assert client.get("/basemap/2/1/3", headers=_auth(boss)).content == b"\x89PNG south"
    assert client.get("/basemap/2/2/2", headers=_auth(boss)).status_code == 404
    assert client.get("/basemap/2/9/0", headers=_auth(boss)).status_code == 404  # x ≥ 2^z
    config = client.get("/api/v1/citymap/basemap", headers=_auth(boss)).json()
    assert config["tiles"] == ["/basemap/{z}/{x}/{y}"]
    assert (config["format"], config["min_zoom"], config["max_zoom"]) == ("png", 1, 3)
    assert client.get("/basemap/tiles.pmtiles", headers=_auth(boss)).status_code == 404


def test_without_a_basemap_setting_the_files_are_404(make_client: Any, tmp_path: Path) -> None:
    path = _mbtiles(tmp_path / "city.mbtiles")
    client, tokens = make_client(basemap_file=path)  # the setting stays `areas`
    boss = tokens["boss"]
    assert client.get("/basemap/2/1/0", headers=_auth(boss)).status_code == 404
    assert client.get("/basemap/tiles.pmtiles", headers=_auth(boss)).status_code == 404
    config = client.get("/api/v1/citymap/basemap", headers=_auth(boss)).json()
    assert (config["kind"], config["tiles"], config["url"]) == ("areas", [], None)
    # a configured file that is gone is a 404 too, not a 500
    gone, gone_tokens = make_client(basemap="pmtiles", basemap_file=tmp_path / "missing.pmtiles")
    got = gone.get("/basemap/tiles.pmtiles", headers=_auth(gone_tokens["boss"]))
    assert got.status_code == 404


def test_an_online_raster_source_is_named_with_its_crs(make_client: Any) -> None:
    urls = ("https://webrd01.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}",)
    client, tokens = make_client(basemap="raster", basemap_tile_urls=urls, basemap_crs="gcj02")
    config = client.get("/api/v1/citymap/basemap", headers=_auth(tokens["boss"])).json()
    assert (config["kind"], config["tiles"], config["crs"]) == ("raster", list(urls), "gcj02")
    assert client.get("/api/v1/citymap/basemap", headers=_auth(tokens["cit"])).status_code == 403


def test_the_settings_refuse_an_incomplete_basemap() -> None:
    with pytest.raises(ValueError, match="BASEMAP_FILE"):
        Settings(basemap="pmtiles")
    with pytest.raises(ValueError, match="TILE_URLS"):
        Settings(basemap="raster")
    with pytest.raises(ValueError, match=r"\{z\}"):
        Settings(basemap="raster", basemap_tile_urls=("https://t.example/tiles.png",))
