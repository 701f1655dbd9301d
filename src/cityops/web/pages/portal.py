"""Pages of the citizen portal (市民门户): submit an appeal, track it by code, the public board,
and the stored photos at /media/. Jinja shells like the console's; the ES modules in
static/js/portal fill them from /api/v1/portal. No sign-in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from cityops.app import Platform
from cityops.kernel.errors import NotFound
from cityops.web.pages.routes import render

router = APIRouter(include_in_schema=False)


@router.get("/portal", response_class=HTMLResponse)
def portal_submit_page(request: Request) -> HTMLResponse:
    """我要反映: the appeal form."""
    return render(request, "portal_submit.html", "portal")


@router.get("/portal/track", response_class=HTMLResponse)
def portal_track_form(request: Request) -> HTMLResponse:
    return render(request, "portal_track.html", "portal_track", code="")


@router.get("/portal/track/{code}", response_class=HTMLResponse)
def portal_track_page(request: Request, code: str) -> HTMLResponse:
    return render(request, "portal_track.html", "portal_track", code=code[:32])


@router.get("/portal/board", response_class=HTMLResponse)
def portal_board_page(request: Request) -> HTMLResponse:
    return render(request, "portal_board.html", "portal_board")


@router.get("/media/{year}/{month}/{name}")
def media(request: Request, year: str, month: str, name: str) -> FileResponse:
    """A stored appeal photo (random name; served with its checked content type only)."""
    platform: Platform = request.app.state.platform
    rel = f"{year}/{month}/{name}"
    path = platform.portal.photos.path_of(rel)
    if path is None or not path.is_file():
        raise NotFound("no such photo", code="photo_not_found")
    return FileResponse(
        path,
        media_type=platform.portal.photos.content_type(rel),
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "public, max-age=86400, immutable",
            "Content-Security-Policy": "default-src 'none'",
        },
    )
