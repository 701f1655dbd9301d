"""Imports every store module so that all tables are registered on the one metadata.
Alembic and the test fixtures use this; nothing else should need it."""

from cityops.appeals.followup import store as _followup_store  # noqa: F401
from cityops.appeals.knowledge import store as _knowledge_store  # noqa: F401
from cityops.appeals.notify import store as _notify_store  # noqa: F401
from cityops.appeals.open311 import store as _open311_store  # noqa: F401
from cityops.appeals.portal import store as _portal_store  # noqa: F401
from cityops.appeals.routing import decisions as _routing_decisions  # noqa: F401
from cityops.cases import request_keys as _case_request_keys  # noqa: F401
from cityops.cases import store as _cases_store  # noqa: F401
from cityops.geo import store as _geo_store  # noqa: F401
from cityops.infra import outbox as _outbox  # noqa: F401
from cityops.infra.db import metadata
from cityops.insight.keysites import store as _key_sites_store  # noqa: F401
from cityops.insight.reports import store as _reports_store  # noqa: F401
from cityops.insight.vitals_runtime import store as _vitals_store  # noqa: F401
from cityops.org import store as _org_store  # noqa: F401
from cityops.sensing import store as _sensing_store  # noqa: F401
from cityops.taxonomy import store as _taxonomy_store  # noqa: F401
from cityops.webhooks import store as _webhooks_store  # noqa: F401
from cityops.worktime import store as _worktime_store  # noqa: F401

__all__ = ["metadata"]
