"""Console pages: server-rendered HTML shells; the page scripts call the JSON API."""

from cityops.web.pages.routes import STATIC_DIR, router

__all__ = ["STATIC_DIR", "router"]
