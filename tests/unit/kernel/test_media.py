"""kernel.media: a photo on a case is a stored-media reference, exactly the form an upload
returns; anything else is refused, naming the field and what is expected, and never becomes a
link."""

from __future__ import annotations

import pytest

from cityops.kernel.errors import ValidationFailed
from cityops.kernel.media import checked_photos, is_media_reference, media_url, stored_name

GOOD = "/media/2026/11/Qm9uam91ci1sYW1wLTE.jpg"
BAD = [
    "javascript:alert(1)",
    "../../../../etc/passwd",
    "/media/../../etc/passwd",
    "/media/2026/11/../../../etc/passwd.jpg",
    "/media/2026/11/Qm9uam91ci1sYW1wLTE.svg",
    "/media/2026/11/short.jpg",
    "/media/2026/11/Qm9uam91ci1sYW1wLTE.jpg\n",
    "https://evil.example.com/media/2026/11/Qm9uam91ci1sYW1wLTE.jpg",
    "media/2026/11/Qm9uam91ci1sYW1wLTE.jpg",
    "",
]


def test_the_form_an_upload_returns_is_a_reference() -> None:
    assert is_media_reference(GOOD)
    assert stored_name(GOOD) == "2026/11/Qm9uam91ci1sYW1wLTE.jpg"
    assert media_url(GOOD, "https://city.example.cn/") == "https://city.example.cn" + GOOD


@pytest.mark.parametrize("bad", BAD)
def test_anything_else_is_not_and_never_becomes_a_link(bad: str) -> None:
    assert not is_media_reference(bad)
    assert media_url(bad, "https://city.example.cn") == ""


def test_checked_photos_drops_blanks_and_names_the_field_of_a_bad_one() -> None:
    assert checked_photos([GOOD, " ", ""]) == (GOOD,)
    with pytest.raises(ValidationFailed) as err:
        checked_photos([GOOD, "javascript:alert(1)"], field="photos")
    assert err.value.code == "invalid_photo"
    assert err.value.message.startswith("photos[1]: 'javascript:alert(1)' is not a photo")
    assert "/media/<yyyy>/<mm>/<name>" in err.value.message
