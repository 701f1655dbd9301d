"""Console page 热点诉求 (/console/hot-issues): the groups of appeals many citizens raise now,
hottest first; the page script (static/js/pages/hot_issues.js) reads /api/v1/insight/hot-issues."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cityops.web.pages.routes import SIGNED_IN, render

router = APIRouter(include_in_schema=False)


@router.get("/console/hot-issues", response_class=HTMLResponse, dependencies=SIGNED_IN)
def hot_issues_page(request: Request) -> HTMLResponse:
    """热点诉求: what many citizens are raising, where, since when, and the cases behind it."""
    return render(request, "hot_issues.html", "hot_issues")
