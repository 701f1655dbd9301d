"""Entry point for uvicorn: `cityops.web.server:app` (a factory) builds the platform from the
environment and serves it with background work (outbox relay, SLA scheduler) running."""

from __future__ import annotations

from fastapi import FastAPI

from cityops.app import build_platform
from cityops.infra.settings import Settings
from cityops.web.app import create_app


def app() -> FastAPI:
    return create_app(build_platform(Settings()), background=True)
