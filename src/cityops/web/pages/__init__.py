"""Console pages: server-rendered HTML shells; the page scripts call the JSON API. The
inspector's phone app (/m) is pages/mobile.py."""

from cityops.web.pages.alarms import router as alarm_pages_router
from cityops.web.pages.citymap import router as city_map_pages_router
from cityops.web.pages.evaluation import router as evaluation_pages_router
from cityops.web.pages.hot_issues import router as hot_issue_pages_router
from cityops.web.pages.mobile import router as mobile_router
from cityops.web.pages.reports import router as report_pages_router
from cityops.web.pages.routes import STATIC_DIR, router
from cityops.web.pages.sensing import router as sensing_pages_router
from cityops.web.pages.vitals import router as vitals_pages_router

router.include_router(mobile_router)
router.include_router(alarm_pages_router)
router.include_router(evaluation_pages_router)
router.include_router(hot_issue_pages_router)
router.include_router(city_map_pages_router)
router.include_router(report_pages_router)
router.include_router(sensing_pages_router)
router.include_router(vitals_pages_router)

__all__ = ["STATIC_DIR", "router"]
