"""Entry point for uvicorn: `cityops.web.server:app` (a factory) builds the platform from the
environment and serves it with background work (outbox relay, SLA scheduler) running.

Started by uvicorn directly rather than by `cityops serve`, pass `--no-proxy-headers` (or
`--forwarded-allow-ips` naming the real proxies): uvicorn's own default trusts X-Forwarded-For
from 127.0.0.1, which `cityops serve` replaces with CITYOPS_TRUSTED_PROXIES."""

from __future__ import annotations

from fastapi import FastAPI

from cityops.app import build_platform
from cityops.infra.settings import Settings
from cityops.web.app import create_app


def app() -> FastAPI:
    settings = Settings()
    problem = settings.serving_problem()  # as `cityops serve`: no weak secret outside dev, demo
    if problem:
        raise RuntimeError(problem)
    return create_app(build_platform(settings), background=True)
