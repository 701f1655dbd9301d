"""What the rest of cityops may use of the hotline console (热线受理台): the service built in
app.py as `platform.hotline`, a call and its assist query with their bounds, and the kinds of
appeal (AppealType) a call is taken as."""

from __future__ import annotations

from cityops.appeals.appeal_types import AppealType
from cityops.appeals.hotline.model import (
    ADDRESS_MAX,
    NAME_MAX,
    TEXT_MAX,
    AssistQuery,
    CallerCase,
    CallMode,
    NewCall,
)
from cityops.appeals.hotline.service import MAX_CALLER_CASES, HotlineService

__all__ = [
    "ADDRESS_MAX",
    "MAX_CALLER_CASES",
    "NAME_MAX",
    "TEXT_MAX",
    "AppealType",
    "AssistQuery",
    "CallMode",
    "CallerCase",
    "HotlineService",
    "NewCall",
]
