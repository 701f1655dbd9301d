"""The web layer: FastAPI app, API routers, pages and static assets.
It is the only place that knows HTTP."""
