"""物联感知 pages: 设备 (/console/devices: list, map, registration and bulk import for
administrators), 设备详情 (/console/devices/{code}: latest values, charts, alarms) and 死信
(/console/sensing/dead-letters). HTML shells whose scripts (static/js/pages/devices.js,
device_detail.js, dead_letters.js) call the sensing API. Staff who may see sensing data get the
pages; anyone else signed in gets them as a 403 that says so (their scripts load nothing). The
roles that manage devices come from the sensing policy, so a page shows only what the API
accepts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from cityops.sensing.public import DEVICE_MANAGERS, SENSING_VIEWERS
from cityops.web.deps import signed_in_actor
from cityops.web.pages.routes import render
from cityops.web.session import SignInRequired

router = APIRouter(include_in_schema=False)


async def _staff_page(request: Request, template: str, page: str, **context: Any) -> HTMLResponse:
    actor = await signed_in_actor(request, request.app.state.platform)
    if actor is None:
        raise SignInRequired(request.url.path)
    denied = not actor.has(*SENSING_VIEWERS)
    response = render(
        request,
        template,
        page,
        denied=denied,
        managers=" ".join(sorted(DEVICE_MANAGERS)),
        **context,
    )
    if denied:
        response.status_code = 403
    return response


@router.get("/console/devices", response_class=HTMLResponse)
async def devices_page(request: Request) -> HTMLResponse:
    """设备: filters, the list with paging, the map coloured by online state."""
    return await _staff_page(request, "devices.html", "devices")


@router.get("/console/devices/{code}", response_class=HTMLResponse)
async def device_page(
    request: Request, code: Annotated[str, Path(min_length=1, max_length=64)]
) -> HTMLResponse:
    """设备详情: facts, latest values, a chart per metric, the device's alarms."""
    return await _staff_page(request, "device_detail.html", "device_detail", device_code=code)


@router.get("/console/sensing/dead-letters", response_class=HTMLResponse)
async def dead_letters_page(request: Request) -> HTMLResponse:
    """死信: what ingestion refused, counted per reason."""
    return await _staff_page(request, "dead_letters.html", "dead_letters")
