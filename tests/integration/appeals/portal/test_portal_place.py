"""Giving the place without the map: a typed address that names a street or community (the
local gazetteer), or a street / community chosen from the list. The case lies in that area, at
the area's own point, marked approximate; nothing matched and no point is a 422 that says how
to give the place."""

from __future__ import annotations

import pytest
from tests.integration.appeals.portal.conftest import Portal

STREET = "330191001"  # 湖滨街道
COMMUNITY = "330191001002"  # 湖滨南苑社区


def _case(portal: Portal, code: str) -> dict[str, object]:
    cid = portal.case_id(code)
    r = portal.client.get(f"/api/v1/cases/{cid}", headers=portal.auth("op"))
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def _inside(portal: Portal, area: str, lon: float, lat: float) -> bool:
    r = portal.client.get("/api/v1/areas/locate", params={"lon": lon, "lat": lat})
    return area in [a["code"] for a in r.json()["chain"]]


@pytest.mark.parametrize(
    ("address", "area", "place"),
    [
        ("东湖区湖滨路100号", STREET, "东湖区 湖滨街道"),
        ("湖滨街道湖滨南苑旁边的小路", COMMUNITY, "东湖区 湖滨街道 湖滨南苑社区"),
        ("湖滨南苑社区3幢", COMMUNITY, "东湖区 湖滨街道 湖滨南苑社区"),
    ],
)
def test_an_address_that_names_the_place(
    portal: Portal, address: str, area: str, place: str
) -> None:
    receipt = portal.submit(lon=None, lat=None, address=address)
    assert (receipt["place"], receipt["approximate"]) == (place, True)
    case = _case(portal, receipt["tracking_code"])
    assert case["area_code"] == area  # the named area, not a grid inside it
    assert case["address"] == address
    assert isinstance(case["lon"], float)
    assert isinstance(case["lat"], float)
    assert _inside(portal, area, case["lon"], case["lat"])
    history = portal.client.get(
        f"/api/v1/cases/{case['id']}/history", headers=portal.auth("op")
    ).json()
    assert history[0]["data"]["location"] == "approximate"
    assert portal.track(receipt["tracking_code"])["approximate"] is True


def test_a_street_or_community_chosen_from_the_list(portal: Portal) -> None:
    places = portal.client.get("/api/v1/portal/places").json()
    chosen = next(p for p in places if p["code"] == COMMUNITY)
    assert chosen == {
        "code": COMMUNITY,
        "name": "湖滨南苑社区",
        "level": "community",
        "street_code": STREET,
    }
    assert {p["level"] for p in places} == {"street", "community"}
    receipt = portal.submit(lon=None, lat=None, address=None, area_code=COMMUNITY)
    assert receipt["approximate"] is True
    case = _case(portal, receipt["tracking_code"])
    assert case["area_code"] == COMMUNITY
    assert _inside(portal, COMMUNITY, case["lon"], case["lat"])


def test_a_point_still_decides_and_is_exact(portal: Portal) -> None:
    receipt = portal.submit(address="湖滨南苑社区3幢")  # a point is sent too
    assert receipt["approximate"] is False
    case = _case(portal, receipt["tracking_code"])
    assert str(case["area_code"]).startswith(STREET)
    assert len(str(case["area_code"])) == 15
    assert portal.track(receipt["tracking_code"])["approximate"] is False


@pytest.mark.parametrize(
    ("fields", "code", "words"),
    [
        ({"address": None}, "location_required", "choose the street or community"),
        ({"address": "火星路1号"}, "address_not_placed", "name the street or community"),
        ({"address": None, "area_code": "999999"}, "unknown_area", "choose one from the list"),
    ],
)
def test_no_place_is_a_422_that_says_how_to_give_it(
    portal: Portal, fields: dict[str, str | None], code: str, words: str
) -> None:
    before = portal.counts()
    body = portal.submit(expect=422, lon=None, lat=None, **fields)
    assert body["error"]["code"] == code
    assert words in body["error"]["message"]
    assert portal.counts() == before
