"""Identifiers: opaque event ids and short random tokens."""

from __future__ import annotations

import re
import secrets
import uuid

# Crockford's base32: digits and capitals without I, L, O and U, so a code read aloud over the
# phone or copied from an SMS by hand cannot be mistaken (1/I/l, 0/O).
TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TRACKING_GROUPS, _TRACKING_GROUP_SIZE = 3, 4  # XXXX-XXXX-XXXX: 60 random bits
_TRACKING_LENGTH = _TRACKING_GROUPS * _TRACKING_GROUP_SIZE
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_event_id() -> str:
    """A globally unique id for an event or a correlation chain."""
    return uuid.uuid4().hex


def new_token(nbytes: int = 24) -> str:
    """A URL-safe random token (tracking codes, API keys)."""
    return secrets.token_urlsafe(nbytes)


def new_tracking_code() -> str:
    """A citizen's tracking code (查询码), e.g. `7KQ2-M9XD-4TFA`: 60 bits from one read of the
    system's random source, five bits a character."""
    bits = int.from_bytes(secrets.token_bytes(8), "big")
    chars = "".join(TRACKING_ALPHABET[(bits >> (5 * i)) & 31] for i in range(_TRACKING_LENGTH))
    step = _TRACKING_GROUP_SIZE
    return "-".join(chars[i : i + step] for i in range(0, _TRACKING_LENGTH, step))


def normalize_tracking_code(typed: str) -> str:
    """The stored form of a tracking code as a person typed it: case, spaces and dashes do not
    matter, O is read as 0 and I or L as 1. Anything that is not such a code (an older one) is
    returned as typed, trimmed."""
    raw = _SEPARATORS.sub("", typed).upper().translate(_READ_AS)
    size = _TRACKING_GROUPS * _TRACKING_GROUP_SIZE
    if len(raw) != size or any(c not in TRACKING_ALPHABET for c in raw):
        return typed.strip()
    step = _TRACKING_GROUP_SIZE
    return "-".join(raw[i : i + step] for i in range(0, size, step))
