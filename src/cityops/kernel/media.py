"""Stored media references: the one form a photo takes wherever a case carries it (intake,
workflow steps, history), and the only form a feed turns into a URL.

A photo is stored by the platform (cases/photos.py checks, re-encodes and names it, for the
portal's form and the staff upload POST /api/v1/media/photos) and referred to by its path on
this server: `/media/<yyyy>/<mm>/<random>.<jpg|png|webp>`, the random part 16–64 letters,
digits, `-` or `_`. Anything else (`javascript:…`, `../../etc/passwd`, a URL of another site)
is not a photo of the platform and is refused (`checked_photos`) or, read back from older rows,
never turned into a link (`media_url`)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from cityops.kernel.errors import ValidationFailed

MEDIA_PREFIX = "/media/"
# the stored name below MEDIA_PREFIX: yyyy/mm/<random>.<ext>
STORED_NAME = re.compile(r"^\d{4}/\d{2}/[A-Za-z0-9_-]{16,64}\.(jpg|png|webp)$")
EXPECTED = "the reference a photo upload returned, /media/<yyyy>/<mm>/<name>.<jpg|png|webp>"


def stored_name(ref: str) -> str | None:
    """The stored name (yyyy/mm/<random>.<ext>) of a media reference; None for anything that is
    not exactly one."""
    if not ref.startswith(MEDIA_PREFIX):
        return None
    name = ref[len(MEDIA_PREFIX) :]
    return name if STORED_NAME.fullmatch(name) else None


def is_media_reference(ref: str) -> bool:
    return stored_name(ref) is not None


def photo_problem(ref: str) -> str | None:
    """What is wrong with a photo reference (None: it is a stored-media reference)."""
    if is_media_reference(ref):
        return None
    shown = ref if len(ref) <= 80 else ref[:77] + "…"
    return f"{shown!r} is not a photo stored by the platform: give {EXPECTED}"


def checked_photos(refs: Iterable[str], field: str = "photos") -> tuple[str, ...]:
    """The references, blank ones dropped; ValidationFailed (code invalid_photo, naming the
    field and the position) for any that is not a stored-media reference."""
    out: list[str] = []
    for i, ref in enumerate(refs):
        if not ref.strip():
            continue
        problem = photo_problem(ref)
        if problem is not None:
            raise ValidationFailed(
                f"{field}[{i}]: {problem}", code="invalid_photo", field=field, index=i
            )
        out.append(ref)
    return tuple(out)


def media_url(ref: str, base_url: str) -> str:
    """The absolute URL of a stored-media reference on the server at `base_url`; '' for anything
    else (a stored value that is not one is never published as a link)."""
    if not is_media_reference(ref):
        return ""
    return base_url.rstrip("/") + ref
