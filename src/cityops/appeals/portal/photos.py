"""The portal's photos: up to 3 per appeal, each checked, re-encoded and stored by the case
engine's photo store (cases/photos.py, shared with the staff upload)."""

from __future__ import annotations

from cityops.cases.public import (
    MAX_PHOTO_BYTES,
    CheckedPhoto,
    PhotoStore,
    PhotoUpload,
    check_photo,
    sniff,
)
from cityops.kernel.errors import ValidationFailed

MAX_PHOTOS = 3

__all__ = [
    "MAX_PHOTOS",
    "MAX_PHOTO_BYTES",
    "CheckedPhoto",
    "PhotoStore",
    "check_photo",
    "check_photos",
    "sniff",
]


def check_photos(uploads: tuple[PhotoUpload, ...]) -> list[CheckedPhoto]:
    if len(uploads) > MAX_PHOTOS:
        raise ValidationFailed(
            f"at most {MAX_PHOTOS} photos per appeal; you sent {len(uploads)}",
            code="too_many_photos",
        )
    return [check_photo(u) for u in uploads]
