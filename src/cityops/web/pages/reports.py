"""智能报表 (/console/reports): the HTML shell whose script (static/js/pages/reports.js) lists the
report archive, downloads a file and, for the roles that may, builds a report on demand. Roles
that may read reports get the page; anyone else signed in gets it as a 403 that says so."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cityops.insight.public import REPORT_BUILDERS, REPORT_READERS
from cityops.web.deps import signed_in_actor
from cityops.web.pages.routes import render
from cityops.web.session import SignInRequired

router = APIRouter(include_in_schema=False)


@router.get("/console/reports", response_class=HTMLResponse)
async def reports_page(request: Request) -> HTMLResponse:
    """智能报表: the archive (daily, weekly, monthly; xlsx, docx, pdf) and a build form."""
    actor = await signed_in_actor(request, request.app.state.platform)
    if actor is None:
        raise SignInRequired(request.url.path)
    denied = not actor.has(*REPORT_READERS)
    response = render(
        request,
        "reports.html",
        "reports",
        denied=denied,
        builders=" ".join(sorted(REPORT_BUILDERS)),
    )
    if denied:
        response.status_code = 403
    return response
