"""The web layer: FastAPI app, API routers, pages and static assets — the only place that knows HTTP."""
