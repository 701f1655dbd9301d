"""The staff photo upload, POST /api/v1/media/photos: the staff who write cases store a photo
and get the reference a case's intake or action body takes; the picture is re-encoded as the
portal's are (no EXIF location left); anything that is not a picture is a 422 saying so, more
than 10 MB a 413, a citizen account, a leader or no sign-in never stores a file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from cityops.app import Platform
from cityops.kernel.media import is_media_reference

from .conftest import City

URL = "/api/v1/media/photos"


def _jpeg(gps: bool = False) -> bytes:
    img = Image.new("RGB", (64, 48), (30, 120, 200))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (120.0, 10.0, 0.0)}
        exif[0x010F] = "PhoneMaker"
        img.save(out, format="JPEG", exif=exif)
    else:
        img.save(out, format="JPEG")
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 200, 0, 128)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def uploads(platform: Platform, tmp_path: Path) -> Path:
    platform.portal.photos.root = tmp_path / "uploads"
    return platform.portal.photos.root


def _files(uploads: Path) -> list[Path]:
    return sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else []


def _post(city: City, user: str | None, data: bytes, name: str = "a.jpg"):  # type: ignore[no-untyped-def]
    headers = city.auth(user) if user else {}
    return city.client.post(URL, files={"file": (name, data, "image/jpeg")}, headers=headers)


@pytest.mark.parametrize("user", ["op", "disp", "lead", "h_cgj", "insp"])
def test_staff_store_a_photo_and_get_its_reference(city: City, uploads: Path, user: str) -> None:
    r = _post(city, user, _jpeg(gps=True))
    assert r.status_code == 201, r.text
    body = r.json()
    assert is_media_reference(body["ref"])
    assert body["url"].endswith(body["ref"])
    assert body["url"].startswith("http")
    assert body["content_type"] == "image/jpeg"
    [stored] = _files(uploads)
    assert body["size"] == stored.stat().st_size
    with Image.open(stored) as img:  # re-encoded: the location and the maker are gone
        assert img.size == (64, 48)
        assert not img.getexif()
    served = city.client.get(body["ref"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.content == stored.read_bytes()


def test_the_reference_goes_into_a_result_at_finish(city: City, uploads: Path) -> None:
    case = city.act("disp", city.act("op", city.create(), "register"), "dispatch")
    case = city.act("h_cgj", case, "sign")
    ref = _post(city, "h_cgj", _png(), "result.png").json()["ref"]
    assert ref.endswith(".png")
    done = city.act("h_cgj", case, "finish", note="已修复", photos=[ref])
    assert done["status"] == "handled"
    assert ref in city.history("op", case["id"])[-1]["attachments"]


def test_an_inspector_reports_with_an_uploaded_photo(city: City, uploads: Path) -> None:
    ref = _post(city, "insp", _jpeg()).json()["ref"]
    case = city.create(user="insp", source="inspector", photos=[ref])
    assert city.history("insp", case["id"])[0]["attachments"] == [ref]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"just some text, not a picture", "notes.jpg"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "broken.jpg"),  # a JPEG header and nothing else
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg"),
        (b"", "empty.jpg"),
    ],
)
def test_a_file_that_is_not_a_picture_is_a_422_that_says_so(
    city: City, uploads: Path, data: bytes, name: str
) -> None:
    r = _post(city, "h_cgj", data, name)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "not_an_image"
    assert name in err["message"]
    assert "JPEG, PNG or WebP" in err["message"]
    assert _files(uploads) == []


def test_no_file_is_a_422_naming_the_field(city: City, uploads: Path) -> None:
    r = city.client.post(URL, data={"other": "x"}, headers=city.auth("op"))
    assert r.status_code == 422, r.text
    assert "file" in r.json()["error"]["message"]


def test_more_than_10_mb_is_a_413(city: City, uploads: Path) -> None:
    big = _jpeg() + b"\x00" * (10 * 1024 * 1024)
    r = _post(city, "op", big, "huge.jpg")
    assert r.status_code == 413, r.text
    err = r.json()["error"]
    assert err["code"] == "photo_too_large"
    assert "10 MB" in err["message"]
    assert _files(uploads) == []


@pytest.mark.parametrize("user", ["cit", "boss"])
def test_a_citizen_account_or_a_leader_is_refused(city: City, uploads: Path, user: str) -> None:
    r = _post(city, user, _jpeg())
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "cannot_upload_photo"
    assert _files(uploads) == []


def test_without_a_sign_in_it_is_a_401(city: City, uploads: Path) -> None:
    assert _post(city, None, _jpeg()).status_code == 401
    assert _files(uploads) == []


def test_uploads_are_limited_per_account(city: City, uploads: Path, platform: Platform) -> None:
    for _ in range(30):
        assert _post(city, "insp", _png()).status_code == 201
    r = _post(city, "insp", _png())
    assert r.status_code == 429, r.text
    assert int(r.headers["Retry-After"]) >= 1
    assert r.json()["error"]["code"] == "rate_limited"
    assert _post(city, "op", _png()).status_code == 201  # another account is not held back
    assert len(_files(uploads)) == 31
