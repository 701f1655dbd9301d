"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from starlette.middleware.gzip import GZipMiddleware

from cityops import __version__
from cityops.app import Platform
from cityops.web.api import routers
from cityops.web.api.case_actions import action_router
from cityops.web.assets import install_assets
from cityops.web.errors import install_error_handlers
from cityops.web.limits import BodySizeLimit
from cityops.web.nul_guard import NulInAddress
from cityops.web.pages import STATIC_DIR
from cityops.web.pages import router as pages_router
from cityops.web.pages.portal import router as portal_pages_router
from cityops.web.pages.routes import TEMPLATES
from cityops.web.rate_limits import PublicReadLimiter
from cityops.web.request_id import RequestId
from cityops.web.session import SessionCodec, SessionCookies


def create_app(platform: Platform, *, background: bool = False) -> FastAPI:
    """Build the app over a platform. `background=True` starts the relay and scheduler threads
    for the app's lifetime (the server does; tests drive them by hand)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if background:
            platform.start_background()
        try:
            yield
        finally:
            hub = getattr(_app.state, "event_hub", None)  # web/event_stream.py, made on demand
            if hub is not None:
                hub.stop()
            if background:
                platform.stop_background()

    app = FastAPI(
        title="cityops 城市运行一网统管平台",
        version=__version__,
        docs_url=None,  # served below from the local Swagger UI copy, not from a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.platform = platform
    app.state.public_reads = PublicReadLimiter(  # web.deps.PublicReads spends it
        platform.settings.public_reads_per_minute, lambda: platform.clock.now().timestamp()
    )
    app.state.sessions = SessionCodec(  # the console's session cookie (web.session)
        platform.settings.secret_key, timedelta(minutes=platform.settings.session_idle_minutes)
    )
    app.state.ui_strings = {}  # per language, with the area level names (pages.routes)
    install_error_handlers(app)
    for router in routers():
        app.include_router(router)
    app.include_router(action_router(platform.cases.case_types))  # one route per action
    app.include_router(pages_router)
    app.include_router(portal_pages_router)
    install_assets(app, TEMPLATES, STATIC_DIR)  # /static, versioned URLs and cache headers
    install_docs(app)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.add_middleware(BodySizeLimit, max_bytes=platform.settings.max_body_bytes)
    app.add_middleware(NulInAddress)  # PostgreSQL compares no text holding NUL
    app.add_middleware(
        SessionCookies,
        codec=app.state.sessions,
        now=platform.clock.now,
        prod=platform.settings.env == "prod",
    )
    # compressed when the client asks and the body is over 1 KB; event streams never are
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(RequestId)  # outermost: every answer carries the id
    return app


SWAGGER_UI = "/static/vendor/swagger-ui"  # copied from the npm package by `make assets`


def install_docs(app: FastAPI) -> None:
    """The OpenAPI docs at /docs: Swagger UI served from this machine (static/vendor), so the page
    works offline. (FastAPI's default page loads it from a CDN; ReDoc, likewise, is not served.)"""
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect_url = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API",
            swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png",
            oauth2_redirect_url=oauth2_redirect_url,
            swagger_ui_parameters={"validatorUrl": None},  # no badge from validator.swagger.io
        )

    @app.get(oauth2_redirect_url, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
