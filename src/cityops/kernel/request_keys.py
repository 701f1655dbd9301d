"""Idempotency keys (幂等键): a client names each write it may send more than once.

A client that queues writes while offline (the inspector's app, web/static/js/mobile/) cannot
know whether a request it sent reached the server when the answer was lost, so it sends the
same request again, with the same `Idempotency-Key` header. The server keeps, per account, the
key, what the request was (`scope`: intake, or the action's name) and a fingerprint of its
body, beside the case the request wrote. A request whose key is already stored:

- with the same scope and fingerprint is a replay: answered with the case as it is now, and
  nothing is written again;
- with another scope or body is a mistake of the client: 422 idempotency_key_reused.

This module holds the value the web layer builds and the domain stores; the table is the case
engine's (cases/request_keys.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from cityops.kernel.errors import ValidationFailed

MAX_KEY_LENGTH = 64
_KEY = re.compile(r"[A-Za-z0-9._:-]{8,64}")


@dataclass(frozen=True)
class RequestKey:
    """One write's idempotency key: `key` as the client sent it, `scope` what the write is
    (`intake`, `action:<name>`), `fingerprint` the SHA-256 of its body in canonical JSON."""

    key: str
    scope: str
    fingerprint: str


def checked_key(value: str) -> str:
    """The header's value, or 422 bad_idempotency_key saying what a key may be."""
    key = value.strip()
    if not _KEY.fullmatch(key):
        raise ValidationFailed(
            "Idempotency-Key must be 8 to 64 characters of letters, digits and . _ : - "
            "(a UUID will do)",
            code="bad_idempotency_key",
        )
    return key


def request_key(value: str | None, scope: str, body: Any) -> RequestKey | None:
    """The key of a request from its header (None when it sent none) and its JSON body."""
    if value is None:
        return None
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(f"{scope}\n{canonical}".encode()).hexdigest()
    return RequestKey(key=checked_key(value), scope=scope, fingerprint=digest)
