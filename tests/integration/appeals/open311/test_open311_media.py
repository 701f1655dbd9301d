"""media_url: a request's photo in the list as in the single read, by id and in the updates, as
an absolute URL on this server — only a photo the platform stores (/media/…), and only a unit's
result photo (appeals/open311/publication.py): the reporter's own photo stays unpublished."""

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
    api: TestClient,
    body: dict[str, Any],
    inside: tuple[float, float],
    tmp_path: Any,
    city: Any,
    staff: Any,
) -> None:
    city.portal.photos.root = tmp_path / "uploads"
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
    # a partner may send the address of a photo stored here: the case keeps its reference
    sent = post(api, "json", {**body, "media_url": f"http://testserver{stored}"})
    assert sent.status_code == 200, sent.text
    partner = sent.json()[0]["service_request_id"]
    without = post(api, "json", body).json()[0]["service_request_id"]
    staff(
        partner,
        ("register", {}),
        ("dispatch", {"department_code": "SWJ"}),
        ("sign", {}),
        ("finish", {"note": "已更换井盖", "photos": (stored,)}),
    )

    expected = {partner: f"http://testserver{stored}", portal: "", without: ""}
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
    photos = {(u["service_request_id"], u["media_url"]) for u in updates if u["media_url"]}
    assert photos == {(partner, expected[partner])}
