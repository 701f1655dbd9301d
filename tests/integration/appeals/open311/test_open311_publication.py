"""What the public feed shows, per case source (appeals/open311/publication.py): citizen appeals
with their point rounded to about 100 m, never the city's internal cases (inspector reports,
sensor alarms, transfers) — in the window, by id, one by one and in the updates — and of the
photos only a unit's result photos, as absolute URLs of the platform's own media: a reporter's
photo is not published, and a stored value that is not a stored-media reference never is."""

from __future__ import annotations

import io
from typing import Any

import pytest
from case_city import GRID, LAMP, City, build_city
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import update

from cityops.app import Platform
from cityops.cases.store import case_history

from .test_open311_api import BASE, parse

PUBLISHED = {"hotline", "web", "open311"}
UNPUBLISHED = {"inspector", "sensor", "transfer"}


@pytest.fixture
def town(platform: Platform, client: TestClient, tmp_path: Any) -> City:
    built = build_city(platform, client)
    platform.portal.photos.root = tmp_path / "uploads"
    return built


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 60)).save(out, format="JPEG")
    return out.getvalue()


def _upload(town: City) -> tuple[dict[str, Any], str]:
    """A portal appeal with a photo: the appeal and the photo's reference as returned."""
    lon, lat = town.point_in(GRID)
    r = town.client.post(
        "/api/v1/portal/appeals",
        data={
            "appeal_type": "complaint",
            "description": "湖滨路口路灯不亮，晚上很黑",
            "category_code": LAMP,
            "lon": str(lon),
            "lat": str(lat),
            "phone": "13812345678",
        },
        files=[("photos", ("lamp.jpg", _jpeg(), "image/jpeg"))],
    )
    assert r.status_code == 201, r.text
    return r.json(), r.json()["photos"][0]


def _finished(town: City, case: dict[str, Any], photos: list[str]) -> dict[str, Any]:
    case = town.act("disp", town.act("op", case, "register"), "dispatch")
    case = town.act("h_cgj", case, "sign")
    return town.act("h_cgj", case, "finish", note="已更换灯泡", photos=photos)


def _requests(town: City, fmt: str, **params: str) -> dict[str, dict[str, Any]]:
    r = town.client.get(f"{BASE}/requests.{fmt}", params=params)
    assert r.status_code == 200, r.text
    return {x["service_request_id"]: x for x in parse(fmt, r.text)}


def _updates(town: City) -> list[dict[str, Any]]:
    r = town.client.get(f"{BASE}/servicerequestupdates.json")
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()
    return items


def test_the_feed_shows_citizen_appeals_only_with_their_point_rounded(town: City) -> None:
    lon, lat = town.point_in(GRID)
    assert round(lat, 3) != lat  # the point has more than 3 decimals
    assert round(lon, 3) != lon
    numbers = {
        source: town.create(source=source, lon=lon, lat=lat, area_code=None)["number"]
        for source in sorted(PUBLISHED | UNPUBLISHED)
    }
    shown = {numbers[s] for s in PUBLISHED}
    hidden = {numbers[s] for s in UNPUBLISHED}
    for fmt in ("json", "xml"):
        listed = _requests(town, fmt)
        assert set(listed) == shown
        for item in listed.values():
            assert (float(item["lat"]), float(item["long"])) == (round(lat, 3), round(lon, 3))
        by_id = _requests(town, fmt, service_request_id=",".join(sorted(numbers.values())))
        assert set(by_id) == shown
        for number in shown:
            assert town.client.get(f"{BASE}/requests/{number}.{fmt}").status_code == 200
        for number in hidden:
            r = town.client.get(f"{BASE}/requests/{number}.{fmt}")
            assert r.status_code == 404, r.text
    assert {u["service_request_id"] for u in _updates(town)} == shown


def test_a_stored_value_that_is_not_stored_media_is_never_published(town: City) -> None:
    case = _finished(town, town.create(), ["/media/2026/11/lampafter-0000000001.jpg"])
    with town.platform.uow() as uow:  # rows written before photos were checked
        uow.session.execute(
            update(case_history)
            .where(case_history.c.case_id == case["id"], case_history.c.action == "report")
            .values(attachments=["../../../../etc/passwd"])
        )
        uow.session.execute(
            update(case_history)
            .where(case_history.c.case_id == case["id"], case_history.c.action == "finish")
            .values(attachments=["javascript:alert(1)"])
        )
    number = case["number"]
    for fmt in ("json", "xml"):
        assert _requests(town, fmt)[number]["media_url"] == ""
        [one] = parse(fmt, town.client.get(f"{BASE}/requests/{number}.{fmt}").text)
        assert one["media_url"] == ""
        updates = town.client.get(f"{BASE}/servicerequestupdates.{fmt}").text
        assert "javascript" not in updates
        assert "passwd" not in updates
    assert {u["media_url"] for u in _updates(town)} == {""}


def test_an_uploaded_photo_on_a_result_is_published_as_a_url_that_serves_it(
    town: City,
) -> None:
    appeal, ref = _upload(town)
    assert ref.startswith("/media/")
    lon, lat = town.point_in(GRID)
    case = town.create(lon=lon, lat=lat, area_code=None, photos=[ref])  # staff intake
    number = case["number"]
    for fmt in ("json", "xml"):  # a reporter's photo is not published
        listed = _requests(town, fmt)
        assert listed[number]["media_url"] == ""
        assert listed[appeal["case_number"]]["media_url"] == ""
    _finished(town, case, [ref])
    url = f"http://testserver{ref}"
    for fmt in ("json", "xml"):
        assert _requests(town, fmt)[number]["media_url"] == url
        [one] = parse(fmt, town.client.get(f"{BASE}/requests/{number}.{fmt}").text)
        assert one["media_url"] == url
    steps = [u["media_url"] for u in _updates(town) if u["service_request_id"] == number]
    assert steps == ["", "", "", "", url]  # 受理 立案 派遣 签收 without, 办结反馈 with its photo
    served = town.client.get(url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.content.startswith(b"\xff\xd8\xff")

    town.platform.settings.public_url = "https://cityops.example.cn/"
    [one] = parse("json", town.client.get(f"{BASE}/requests/{number}.json").text)
    assert one["media_url"] == f"https://cityops.example.cn{ref}"
