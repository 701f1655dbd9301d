"""What the rest of cityops may use of duplicate detection (重复诉求): the service built in app.py
as `platform.duplicates`, the similar case it returns and the bounds of a search."""

from __future__ import annotations

from cityops.appeals.duplicates.service import (
    MAX_LIMIT,
    MAX_RADIUS_M,
    MAX_WINDOW_DAYS,
    DuplicateService,
    SimilarCase,
)

__all__ = ["MAX_LIMIT", "MAX_RADIUS_M", "MAX_WINDOW_DAYS", "DuplicateService", "SimilarCase"]
