"""API: the staff photo upload under /api/v1/media — one photo per request, checked and
re-encoded as the portal's are (cases/photos.py); the answer's `ref` is what a case's intake or
workflow action body takes in its `photos` (a result photo at 办结, an inspector's report)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from cityops.cases.public import MAX_PHOTO_BYTES, PhotoUpload
from cityops.web.deps import CurrentActor, PlatformDep
from cityops.web.errors import error_body

router = APIRouter(prefix="/api/v1/media", tags=["media"])


class PhotoPublic(BaseModel):
    """A stored photo: put `ref` into a case's `photos`; `url` shows it."""

    ref: str  # /media/<yyyy>/<mm>/<name>.<jpg|png|webp>
    url: str  # absolute, on this server
    content_type: str
    size: int  # bytes of the stored (re-encoded) file


@router.post(
    "/photos",
    response_model=PhotoPublic,
    status_code=status.HTTP_201_CREATED,
    responses={401: {}, 403: {}, 413: {}, 422: {}, 429: {}},
)
def upload_photo(
    platform: PlatformDep,
    actor: CurrentActor,
    request: Request,
    file: Annotated[UploadFile, File(description="a JPEG, PNG or WebP picture, at most 10 MB")],
) -> PhotoPublic | JSONResponse:
    """上传照片: multipart field `file`, one JPEG, PNG or WebP of at most 10 MB, for staff who
    write cases (operator, dispatcher, shift leader, handler, inspector, admin). The picture is
    re-encoded without its metadata (EXIF location). 413 photo_too_large beyond 10 MB, 422
    not_an_image for anything else, 429 beyond 30 uploads a minute per account."""
    wait = platform.photos.wait_for(actor)  # the role (403), then the allowance; before reading
    if wait:
        return JSONResponse(
            error_body(
                "rate_limited",
                f"too many photo uploads from your account; try again in {wait} seconds",
            ),
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    data = file.file.read(MAX_PHOTO_BYTES + 1)
    name = file.filename or "photo"
    if len(data) > MAX_PHOTO_BYTES:
        return JSONResponse(
            error_body(
                "photo_too_large",
                f"photo {name!r} is larger than {MAX_PHOTO_BYTES // 1048576} MB; a photo may be "
                f"at most {MAX_PHOTO_BYTES // 1048576} MB",
                filename=name,
                max_bytes=MAX_PHOTO_BYTES,
            ),
            status_code=413,
        )
    stored = platform.photos.upload_photo(actor, PhotoUpload(filename=name, data=data))
    return PhotoPublic(
        ref=stored.ref,
        url=str(request.base_url).rstrip("/") + stored.ref,
        content_type=stored.content_type,
        size=stored.size,
    )
