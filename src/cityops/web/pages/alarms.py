"""告警台 (/console/alarms) and 告警规则 (/console/rules): HTML shells whose scripts
(static/js/pages/alarms.js, rules.js) call the alarm API. Staff who may see alarms get the
page; anyone else signed in gets it as a 403 that says so (its script loads nothing). The roles
that may act (handle alarms, edit rules) come from the sensing policy, so a page shows only the
buttons the API would accept."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cityops.sensing.public import ALARM_HANDLERS, RULE_EDITORS, SENSING_VIEWERS
from cityops.web.deps import signed_in_actor
from cityops.web.pages.routes import render
from cityops.web.session import SignInRequired

router = APIRouter(include_in_schema=False)


def _roles(roles: frozenset[str]) -> str:
    return " ".join(sorted(roles))


async def _staff_page(request: Request, template: str, page: str) -> HTMLResponse:
    actor = await signed_in_actor(request, request.app.state.platform)
    if actor is None:
        raise SignInRequired(request.url.path)
    denied = not actor.has(*SENSING_VIEWERS)
    response = render(
        request,
        template,
        page,
        denied=denied,
        handlers=_roles(ALARM_HANDLERS),
        editors=_roles(RULE_EDITORS),
    )
    if denied:
        response.status_code = 403
    return response


@router.get("/console/alarms", response_class=HTMLResponse)
async def alarms_page(request: Request) -> HTMLResponse:
    """告警台: active alarms first, filters, counts per severity and one-click handling."""
    return await _staff_page(request, "alarms.html", "alarms")


@router.get("/console/rules", response_class=HTMLResponse)
async def rules_page(request: Request) -> HTMLResponse:
    """告警规则: the rules, an editor (form and YAML), versions, import/export, backtest."""
    return await _staff_page(request, "rules.html", "rules")
