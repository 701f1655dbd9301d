"""Console page 城市体征 (/console/vitals; /vitals leads there): the board of the city's vital
signs grouped by category and coloured by alert level, an indicator's detail (trend with
threshold lines and baselines, the child areas worst first with drill-down, the transitions)
in the same page, live through the event stream. The script (static/js/pages/vitals.js) reads
/api/v1/vitals/*, which decides who sees what."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from cityops.web.pages.routes import SIGNED_IN, render

router = APIRouter(include_in_schema=False)


@router.get("/console/vitals", response_class=HTMLResponse, dependencies=SIGNED_IN)
def vitals_page(request: Request) -> HTMLResponse:
    """城市体征: every indicator of the city, district or street, live."""
    return render(request, "vitals.html", "vitals")


@router.get("/vitals")
def vitals_short(request: Request) -> RedirectResponse:
    """The short address: the page, with what was asked after `?`."""
    query = request.url.query
    return RedirectResponse("/console/vitals" + (f"?{query}" if query else ""), status_code=307)
