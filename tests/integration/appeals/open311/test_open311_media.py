"""media_url: the photo of a request in the list as in the single read, and as an absolute URL
(a photo stored by the portal is served at /media/… on this server)."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from .test_open311_api import BASE, parse, post


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 60)).save(out, format="JPEG")
    return out.getvalue()


def test_media_urls_are_absolute_in_the_list_and_the_single_read(
    api: TestClient, body: dict[str, Any], inside: tuple[float, float], tmp_path: Any, city: Any
) -> None:
    city.portal.photos.root = tmp_path / "uploads"
    sent = post(api, "json", {**body, "media_url": "https://photos.example.com/a.jpg"}).json()
    partner = sent[0]["service_request_id"]
    lat, lon = inside
    r = api.post(
        "/api/v1/portal/appeals",
        data={
            "appeal_type": "complaint",
            "description": "井盖松动，车辆经过有响声",
            "category_code": "C010102",
            "lon": str(lon),
            "lat": str(lat),
            "phone": "13812345678",
        },
        files=[("photos", ("manhole.jpg", _jpeg(), "image/jpeg"))],
    )
    assert r.status_code == 201, r.text
    stored = r.json()["photos"][0]
    assert stored.startswith("/media/")
    portal = r.json()["case_number"]
    without = post(api, "json", body).json()[0]["service_request_id"]

    expected = {
        partner: "https://photos.example.com/a.jpg",
        portal: f"http://testserver{stored}",
        without: "",
    }
    for fmt in ("json", "xml"):
        listed = {
            x["service_request_id"]: x["media_url"]
            for x in parse(fmt, api.get(f"{BASE}/requests.{fmt}").text)
        }
        assert listed == expected
        for number, url in expected.items():
            [one] = parse(fmt, api.get(f"{BASE}/requests/{number}.{fmt}").text)
            assert one["media_url"] == url
    by_id = api.get(f"{BASE}/requests.json", params={"service_request_id": f"{portal},{partner}"})
    assert [x["media_url"] for x in by_id.json()] == [expected[portal], expected[partner]]
    updates = api.get(f"{BASE}/servicerequestupdates.json").json()
    reports = {u["service_request_id"]: u["media_url"] for u in updates}
    assert reports[portal] == expected[portal]
