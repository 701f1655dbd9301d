"""网格通: the grid inspector's phone app at /m, an installable web app that works offline.

`/m` is the app's one page (inspectors only: anyone else signed in gets it as a 403 that says
so and links to the console; no session: the login page). `/m/manifest.webmanifest` makes it
installable. `/m/sw.js` is its service worker, rendered with the versioned URLs of the app
shell (this page's module graph, its stylesheets, Leaflet, the icons, both dictionaries): it
precaches them on install, so the app opens with no network, and keeps the GET answers the app
last read (areas, categories, tasks, photos) for when there is none. Its version is a hash of
that list: a changed file is a new worker, which replaces the old cache. The writes the
inspector makes offline wait in the page's IndexedDB outbox (static/js/mobile/outbox.js) and
carry idempotency keys (kernel/request_keys.py)."""

from __future__ import annotations

import hashlib
import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cityops.kernel.actor import Role
from cityops.web.assets import Assets
from cityops.web.deps import signed_in_actor
from cityops.web.pages.routes import LANGS, STATIC_DIR, WEB_DIR, render
from cityops.web.session import SignInRequired

router = APIRouter(include_in_schema=False)

APP_PATH = "/m"
ENTRY = "js/mobile/app.js"
STYLES = ("css/mobile.css", "vendor/leaflet/leaflet.css")
ICONS = ("img/app-icon-192.png", "img/app-icon-512.png")
_ASSETS = Assets(STATIC_DIR)


@router.get(APP_PATH, response_class=HTMLResponse)
async def mobile_page(request: Request) -> HTMLResponse:
    """网格通: the inspector's app (403 page for other roles)."""
    actor = await signed_in_actor(request, request.app.state.platform)
    if actor is None:
        raise SignInRequired(APP_PATH)
    denied = not actor.has(Role.inspector)
    page = render(request, "mobile.html", "mobile", denied=denied, styles=STYLES, entry=ENTRY)
    if denied:
        page.status_code = 403
    return page


def shell_urls() -> list[str]:
    """What the service worker precaches: the page, its manifest, and the versioned URLs of
    every file the page loads."""
    files = [*STYLES, *ICONS, *_ASSETS.module_graph(ENTRY)]
    return [
        APP_PATH,
        f"{APP_PATH}/manifest.webmanifest",
        *(f"/i18n/{lang}.json" for lang in LANGS),
        *(_ASSETS.url(rel) for rel in files),
    ]


@router.get(f"{APP_PATH}/sw.js")
def service_worker() -> Response:
    """The app's service worker (scope /m, allowed by the Service-Worker-Allowed header)."""
    urls = shell_urls()
    version = hashlib.sha256("\n".join(urls).encode()).hexdigest()[:12]
    source = (WEB_DIR / "templates" / "mobile_sw.js").read_text("utf-8")
    body = source.replace("__SHELL__", json.dumps(urls)).replace("__VERSION__", version)
    return Response(
        body,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": APP_PATH},
    )


@router.get(f"{APP_PATH}/manifest.webmanifest")
def manifest() -> Response:
    body = {
        "name": "网格通",
        "short_name": "网格通",
        "description": "城市运行一网统管 · 网格巡查",
        "lang": "zh-CN",
        "start_url": APP_PATH,
        "scope": APP_PATH,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f4f6f9",
        "theme_color": "#0b3d91",
        "icons": [
            {"src": _ASSETS.url(rel), "sizes": size, "type": "image/png", "purpose": "any"}
            for rel, size in zip(ICONS, ("192x192", "512x512"), strict=True)
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )
