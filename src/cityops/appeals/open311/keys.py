"""Open311 api keys as plain Python: a key is shown once and stored only as its SHA-256 hash."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from cityops.kernel.errors import ValidationFailed
from cityops.kernel.ids import new_token

KEY_PREFIX = "o311_"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,59}$")


@dataclass(frozen=True)
class ApiKey:
    """A key as listed (never the key itself)."""

    id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class IssuedKey:
    """A new key: `api_key` is shown this once and cannot be recovered."""

    key: ApiKey
    api_key: str


def new_api_key() -> str:
    return KEY_PREFIX + new_token(24)


def key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def checked_name(name: str) -> str:
    """The key's name (who uses it): lowercase letters, digits, _ . - (at most 60)."""
    name = name.strip()
    if not NAME_RE.fullmatch(name):
        raise ValidationFailed(
            f"key name {name!r} must be 1-60 lowercase letters, digits, '_', '.' or '-'",
            code="invalid_key_name",
        )
    return name
