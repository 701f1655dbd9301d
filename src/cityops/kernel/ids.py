"""Identifiers: opaque event ids and short random tokens."""

from __future__ import annotations

import secrets
import uuid


def new_event_id() -> str:
    """A globally unique id for an event or a correlation chain."""
    return uuid.uuid4().hex


def new_token(nbytes: int = 24) -> str:
    """A URL-safe random token (tracking codes, API keys)."""
    return secrets.token_urlsafe(nbytes)
