"""Console page 绩效考核 (/console/evaluation): the evaluation's scores, in the view the setting
chooses (trend by default), with the cases behind every number and the Excel download; the page
script (static/js/pages/evaluation.js) reads /api/v1/evaluation/*."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cityops.web.pages.routes import SIGNED_IN, render

router = APIRouter(include_in_schema=False)


@router.get("/console/evaluation", response_class=HTMLResponse, dependencies=SIGNED_IN)
def evaluation_page(request: Request) -> HTMLResponse:
    """绩效考核: streets, departments and posts scored and graded A–E."""
    return render(request, "evaluation.html", "evaluation")
