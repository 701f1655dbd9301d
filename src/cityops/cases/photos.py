"""Photos a case carries (照片): checked by content (magic bytes, then Pillow decodes the image),
re-encoded without their metadata (EXIF GPS is personal data), stored as
<uploads>/<yyyy>/<mm>/<random>.<ext> and served back at /media/<yyyy>/<mm>/<random>.<ext> — that
path is the photo's reference, the only form of a photo a case accepts (kernel.media).

One checker and one store for every way a photo arrives: the citizen portal's appeal form
(appeals/portal, up to 3 per appeal) and the staff upload (`CasePhotos.upload_photo`, POST
/api/v1/media/photos: a handler's result photo at 办结, an inspector's report, an operator's
attachment), which returns the reference to put into a case's intake or action body."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from cityops.cases import policy
from cityops.infra.settings import Settings
from cityops.kernel.actor import Actor
from cityops.kernel.clock import SHANGHAI, Clock
from cityops.kernel.errors import ValidationFailed
from cityops.kernel.ids import new_token
from cityops.kernel.media import MEDIA_PREFIX, STORED_NAME
from cityops.kernel.rate_limit import TokenBucket

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 10 MB file that inflates beyond this is refused (decompression bomb)
# content type → (extension, Pillow format)
FORMATS: dict[str, tuple[str, str]] = {
    "image/jpeg": ("jpg", "JPEG"),
    "image/png": ("png", "PNG"),
    "image/webp": ("webp", "WEBP"),
}
CONTENT_TYPES = {ext: ctype for ctype, (ext, _fmt) in FORMATS.items()}
# staff uploads per account and minute (a handler's 办结 with a few photos, an inspector's round)
STAFF_UPLOADS_PER_MINUTE = 30


@dataclass(frozen=True)
class PhotoUpload:
    """One uploaded file as received: the name the browser sent and the bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedPhoto:
    filename: str
    content_type: str
    ext: str
    data: bytes  # re-encoded, metadata stripped
    sha256: str


@dataclass(frozen=True)
class StoredPhoto:
    """A stored photo: `ref` goes into a case's `photos`; `content_type` of the stored file."""

    ref: str
    content_type: str
    size: int


def sniff(data: bytes) -> str | None:
    """The image type from the first bytes, whatever the file is called."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _name(upload: PhotoUpload) -> str:
    return (upload.filename or "photo").replace("\\", "/").rsplit("/", 1)[-1][:120]


def too_large(upload: PhotoUpload) -> bool:
    return len(upload.data) > MAX_PHOTO_BYTES


def check_photo(upload: PhotoUpload) -> CheckedPhoto:
    """ValidationFailed (naming the file) unless a JPEG, PNG or WebP of at most 10 MB."""
    name = _name(upload)
    if too_large(upload):
        raise ValidationFailed(
            # only the limit and one byte more are read, so the size itself is not known
            f"photo {name!r} is larger than {MAX_PHOTO_BYTES // 1048576} MB; each photo may be "
            f"at most {MAX_PHOTO_BYTES // 1048576} MB",
            code="photo_too_large",
            filename=name,
        )
    ctype = sniff(upload.data)
    if ctype is None:
        raise ValidationFailed(
            f"photo {name!r} is not an image: send a JPEG, PNG or WebP picture",
            code="not_an_image",
            filename=name,
        )
    ext, fmt = FORMATS[ctype]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(upload.data), formats=[fmt]) as probe:
                probe.verify()
            with Image.open(io.BytesIO(upload.data), formats=[fmt]) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise ValidationFailed(
                        f"photo {name!r} is {img.width}×{img.height} pixels; the most is "
                        f"{MAX_PIXELS // 1_000_000} megapixels",
                        code="photo_too_large",
                        filename=name,
                    )
                clean = _reencode(img, fmt)
    except ValidationFailed:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise ValidationFailed(
            f"photo {name!r} is not an image that can be read: send a JPEG, PNG or WebP picture",
            code="not_an_image",
            filename=name,
        ) from exc
    return CheckedPhoto(
        filename=name,
        content_type=ctype,
        ext=ext,
        data=clean,
        sha256=hashlib.sha256(clean).hexdigest(),
    )


def _reencode(img: Image.Image, fmt: str) -> bytes:
    """The picture upright and without EXIF/XMP/ICC text (location, device, owner)."""
    upright = ImageOps.exif_transpose(img)
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    if fmt == "JPEG":
        upright.save(out, format=fmt, quality=88, optimize=True)
    else:
        upright.save(out, format=fmt)
    return out.getvalue()


def upload_root(settings: Settings) -> Path:
    """The settings' data folder + /uploads: next to the SQLite file, else ./var/uploads."""
    url = settings.database_url
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return Path(url.removeprefix("sqlite:///")).resolve().parent / "uploads"
    return Path("var") / "uploads"


class PhotoStore:
    """Files under `root` (the settings' data folder + /uploads). Names are random: a reporter's
    photo's URL is known only to whoever holds the case's tracking code or works on the case (the
    public Open311 feed never shows it; it shows only the photos of a unit's result steps on the
    citizen appeals it publishes: appeals/open311/publication.py)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def name_for(photo: CheckedPhoto, now: datetime) -> str:
        """A fresh stored name (yyyy/mm/random.ext, the month in Shanghai time)."""
        local = now.astimezone(SHANGHAI)
        return f"{local:%Y}/{local:%m}/{new_token(18)}.{photo.ext}"

    def write(self, rel: str, photo: CheckedPhoto) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as fh:
            fh.write(photo.data)

    def delete(self, rel: str) -> None:
        path = self.path_of(rel)
        if path is not None:
            path.unlink(missing_ok=True)

    def path_of(self, rel: str) -> Path | None:
        """The file of a stored name, or None for anything that is not one (no traversal)."""
        if not STORED_NAME.fullmatch(rel):
            return None
        return self.root / rel

    @staticmethod
    def url(rel: str) -> str:
        return MEDIA_PREFIX + rel

    @staticmethod
    def content_type(rel: str) -> str:
        return CONTENT_TYPES[rel.rsplit(".", 1)[-1]]


class CasePhotos:
    """platform.photos: the staff upload (上传照片) into the one photo store. Each account may
    store STAFF_UPLOADS_PER_MINUTE photos a minute (`wait_for`); the photo is stored before any
    case refers to it, as the portal's are (an unused upload is a file nobody links to)."""

    def __init__(
        self, store: PhotoStore, clock: Clock, per_minute: int = STAFF_UPLOADS_PER_MINUTE
    ) -> None:
        self.store = store
        self.clock = clock
        self._bucket = TokenBucket(per_minute, lambda: clock.now().timestamp())

    def wait_for(self, actor: Actor) -> int:
        """PermissionDenied unless a role that writes cases (policy.PHOTO_ROLES); then the
        whole seconds `actor` waits before the next upload, 0: go (spends one)."""
        policy.check_upload_photo(actor)
        return self._bucket.retry_after(f"user:{actor.user_id}:{actor.username}")

    def upload_photo(self, actor: Actor, upload: PhotoUpload) -> StoredPhoto:
        """Check, re-encode and store one photo; its reference for a case's `photos`."""
        policy.check_upload_photo(actor)
        photo = check_photo(upload)
        rel = self.store.name_for(photo, self.clock.now())
        self.store.write(rel, photo)
        return StoredPhoto(
            ref=self.store.url(rel), content_type=photo.content_type, size=len(photo.data)
        )
