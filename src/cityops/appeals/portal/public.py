"""What the rest of cityops may use of the citizen portal (市民门户): the service built in app.py as
`platform.portal` with its allowances, the records of an appeal, a receipt, a rating, the public
board and the tracking page, and the bounds of an upload."""

from __future__ import annotations

from cityops.appeals.portal.model import (
    AppealReceipt,
    AppealRecord,
    Board,
    BoardRow,
    NewAppeal,
    NewRating,
    PublicCase,
    TimelineStep,
)
from cityops.appeals.portal.photos import MAX_PHOTO_BYTES, MAX_PHOTOS
from cityops.appeals.portal.ratelimit import RateLimits
from cityops.appeals.portal.service import PortalService
from cityops.cases.public import PhotoUpload, upload_root

__all__ = [
    "MAX_PHOTOS",
    "MAX_PHOTO_BYTES",
    "AppealReceipt",
    "AppealRecord",
    "Board",
    "BoardRow",
    "NewAppeal",
    "NewRating",
    "PhotoUpload",
    "PortalService",
    "PublicCase",
    "RateLimits",
    "TimelineStep",
    "upload_root",
]
