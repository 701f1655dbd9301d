"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from cityops import __version__
from cityops.app import Platform
from cityops.web.api import routers
from cityops.web.errors import install_error_handlers
from cityops.web.limits import BodySizeLimit
from cityops.web.pages import STATIC_DIR
from cityops.web.pages import router as pages_router
from cityops.web.pages.portal import router as portal_pages_router


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
            if background:
                platform.stop_background()

    app = FastAPI(
        title="cityops 城市运行一网统管平台",
        version=__version__,
        docs_url="/docs",
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.platform = platform
    install_error_handlers(app)
    for router in routers():
        app.include_router(router)
    app.include_router(pages_router)
    app.include_router(portal_pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.add_middleware(BodySizeLimit, max_bytes=platform.settings.max_body_bytes)
    return app
