"""Console pages of the city map (一图观全域): /console/citymap, the leader's map with filters,
layers and the day's replay, and /console/bigscreen, the same map dark and full screen at
1920 × 1080 with panels that turn by themselves. Their scripts (static/js/pages/citymap.js,
bigscreen.js) read /api/v1/citymap/*, which decides who sees what."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cityops.web.api.basemap import files as basemap_files
from cityops.web.pages.routes import SIGNED_IN, render

router = APIRouter(include_in_schema=False)


@router.get("/console/citymap", response_class=HTMLResponse, dependencies=SIGNED_IN)
def city_map_page(request: Request) -> HTMLResponse:
    """一图观全域: cases, devices and areas on one map."""
    return render(request, "citymap.html", "citymap")


@router.get("/console/bigscreen", response_class=HTMLResponse, dependencies=SIGNED_IN)
def big_screen_page(request: Request) -> HTMLResponse:
    """大屏: the city map for the operation centre's wall, 1920 × 1080."""
    return render(request, "bigscreen.html", "bigscreen")


# the basemap's files (/basemap/tiles.pmtiles, /basemap/{z}/{x}/{y}) when a setting names one
router.include_router(basemap_files)
