"""Bad input and floods: a clear 4xx each, and nothing half-stored (no case, no appeal record,
no photo row, no file)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from fastapi import FastAPI
from tests.integration.appeals.portal.conftest import LAMP, STREET, Portal, jpeg

from cityops.kernel.clock import FixedClock
from cityops.web.rate_limits import PublicReadLimiter

BIG = jpeg() + b"\0" * (11 * 1024 * 1024)  # 11 MB: the message must not say 10.0

CASES: dict[str, tuple[dict[str, Any], list[tuple[str, bytes, str]], int, str, str]] = {
    # name: (fields, files, status, error code, a word the message must hold)
    "oversized photo": (
        {},
        [("huge.jpg", BIG, "image/jpeg")],
        422,
        "photo_too_large",
        "'huge.jpg' is larger than 10 MB",
    ),
    "not an image": (
        {},
        [("cat.jpg", b"MZ\x90\x00 this is an exe", "image/jpeg")],
        422,
        "not_an_image",
        "not an image",
    ),
    "broken jpeg": (
        {},
        [("half.jpg", jpeg()[:40], "image/jpeg")],
        422,
        "not_an_image",
        "half.jpg",
    ),
    "four photos": (
        {},
        [(f"p{i}.jpg", jpeg(), "image/jpeg") for i in range(4)],
        422,
        "too_many_photos",
        "3",
    ),
    "invalid phone": ({"phone": "12345"}, [], 422, "invalid_phone", "mobile"),
    "digits of another script": ({"phone": "١٣٨١٢٣٤٥٦٧٨"}, [], 422, "invalid_phone", "mobile"),
    "no phone, not anonymous": ({"phone": None}, [], 422, "phone_required", "anonymous"),
    "outside the city": ({"lon": "0.5", "lat": "0.5"}, [], 422, "outside_city", "outside"),
    "no location": (
        {"lon": None, "lat": None, "address": None},
        [],
        422,
        "location_required",
        "map",
    ),
    "an address naming no place": (
        {"lon": None, "lat": None, "address": "火星路1号"},
        [],
        422,
        "address_not_placed",
        "street or community",
    ),
    "unknown category": ({"category_code": "Z999"}, [], 422, "unknown_category", "Z999"),
    "missing description": ({"description": None}, [], 422, "invalid_request", "description"),
    "blank description": ({"description": "   "}, [], 422, "description_required", "describe"),
    "unknown appeal type": ({"appeal_type": "praise"}, [], 422, "invalid_appeal_type", "praise"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused_and_nothing_is_stored(portal: Portal, name: str) -> None:
    fields, files, status, code, word = CASES[name]
    before = portal.counts()
    body = portal.submit(expect=status, files=files, **fields)
    assert body["error"]["code"] == code
    assert word in body["error"]["message"]
    assert portal.counts() == before
    assert portal.files() == []


def test_files_are_removed_when_the_transaction_fails(portal: Portal) -> None:
    def explode(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("database went away")

    portal.platform.portal.intake.recipients = None
    from cityops.appeals.portal import store

    original = store.insert_photo
    calls = {"n": 0}

    def second_fails(*a: Any, **k: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            explode()
        original(*a, **k)

    store.insert_photo = second_fails  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError):
            portal.submit(files=[("a.jpg", jpeg(), "image/jpeg"), ("b.jpg", jpeg(), "image/jpeg")])
    finally:
        store.insert_photo = original  # type: ignore[assignment]
    assert portal.counts() == (0, 0, 0, 0)
    assert portal.files() == []


def test_submission_flood_gets_429_with_retry_after(portal: Portal, clock: FixedClock) -> None:
    for _ in range(5):
        portal.submit(phone="13900000000")
    before = portal.counts()
    lon, lat = portal.point()
    data = {
        "appeal_type": "help",
        "description": "第六次提交的诉求",
        "lon": lon,
        "lat": lat,
        "anonymous": "true",
    }
    r = portal.client.post("/api/v1/portal/appeals", data=data)
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) == 12  # one token back after 60 s / 5
    assert portal.counts() == before
    clock.advance(timedelta(seconds=12))
    portal.submit(phone="13900000000")


def test_read_flood_gets_429(portal: Portal) -> None:
    for _ in range(60):
        assert portal.client.get("/api/v1/portal/board").status_code == 200
    r = portal.client.get("/api/v1/portal/track/abcdefgh")
    assert r.status_code == 429
    assert "Retry-After" in r.headers


@pytest.mark.parametrize("typed", ["13８12345678", "１３８１２３４５６７８", "138-1234-5678"])
def test_a_phone_is_stored_in_ascii_digits(portal: Portal, typed: str) -> None:
    from sqlalchemy import select

    from cityops.cases.store import cases

    code = portal.submit(phone=typed)["tracking_code"]
    with portal.platform.read() as s:
        stored = s.execute(
            select(cases.c.reporter_phone).where(cases.c.tracking_code == code)
        ).scalar_one()
    assert stored == "13812345678"


def test_public_reads_without_a_sign_in_are_limited_per_address(
    portal: Portal, clock: FixedClock
) -> None:
    app = cast(FastAPI, portal.client.app)
    app.state.public_reads = PublicReadLimiter(6, lambda: clock.now().timestamp())
    lon, lat = portal.point()
    public = [
        f"/api/v1/areas/locate?lon={lon}&lat={lat}",
        "/api/v1/areas?level=street",
        f"/api/v1/areas/{STREET}",
        "/api/v1/categories",
        f"/api/v1/categories/{LAMP}",
    ]
    for path in [*public, public[0]]:  # one allowance for all of them
        assert portal.client.get(path).status_code == 200, path
    r = portal.client.get(public[3])
    assert r.status_code == 429
    error = r.json()["error"]
    assert (error["code"], error["details"]["retry_after"]) == ("rate_limited", 10)
    assert r.headers["Retry-After"] == "10"  # one read back after 60 s / 6
    # staff signed in are not limited
    assert portal.client.get(public[3], headers=portal.auth("op")).status_code == 200
    clock.advance(timedelta(seconds=10))
    assert portal.client.get(public[0]).status_code == 200
