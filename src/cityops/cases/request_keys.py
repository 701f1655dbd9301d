"""The idempotency keys of case writes (kernel/request_keys.py says what they are for).

One row per (account, key): the write it named (`scope`, `fingerprint`) and the case it wrote.
Intake and the workflow actions look a key up before they prepare anything (a replay is
answered with the case as it is now) and again inside the write transaction, where a key met
first by another request of the same batch, or committed since, makes the item a replay too;
the unique constraint is the last word when two processes race."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from cityops.infra.db import UTCDateTime, metadata
from cityops.kernel.errors import ValidationFailed
from cityops.kernel.request_keys import RequestKey

_ID = BigInteger().with_variant(Integer, "sqlite")

case_request_keys = Table(
    "case_request_keys",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("owner", String(64), nullable=False),  # the account's username
    Column("key", String(64), nullable=False),
    Column("scope", String(40), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("case_id", _ID, ForeignKey("cases.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("owner", "key", name="uq_case_request_keys_owner_key"),
)


@dataclass(frozen=True)
class StoredKey:
    scope: str
    fingerprint: str
    case_id: int


def find(session: Session, owner: str, key: str) -> StoredKey | None:
    row = session.execute(
        select(
            case_request_keys.c.scope, case_request_keys.c.fingerprint, case_request_keys.c.case_id
        ).where(case_request_keys.c.owner == owner, case_request_keys.c.key == key)
    ).first()
    return None if row is None else StoredKey(row.scope, row.fingerprint, int(row.case_id))


def find_many(
    session: Session, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], StoredKey]:
    """(owner, key) → what it wrote, for the pairs stored already."""
    wanted = list(set(pairs))
    if not wanted:
        return {}
    rows = session.execute(
        select(case_request_keys).where(
            tuple_(case_request_keys.c.owner, case_request_keys.c.key).in_(wanted)
        )
    )
    return {(r.owner, r.key): StoredKey(r.scope, r.fingerprint, int(r.case_id)) for r in rows}


def replay_of(stored: StoredKey, key: RequestKey) -> int:
    """The case the stored write wrote, as this request's outcome; 422 when the key named
    another request."""
    if stored.scope != key.scope or stored.fingerprint != key.fingerprint:
        raise ValidationFailed(
            f"Idempotency-Key {key.key!r} was used for another request ({stored.scope}, "
            f"case {stored.case_id}); send a new key for a new request",
            code="idempotency_key_reused",
            case_id=stored.case_id,
        )
    return stored.case_id


def insert_keys(
    session: Session, written: Iterable[tuple[str, RequestKey, int]], now: datetime
) -> None:
    """Store (owner, key, case id) for the writes just made, in their transaction."""
    rows = [
        {
            "owner": owner,
            "key": key.key,
            "scope": key.scope,
            "fingerprint": key.fingerprint,
            "case_id": case_id,
            "created_at": now,
        }
        for owner, key, case_id in written
    ]
    if rows:
        session.execute(insert(case_request_keys), rows)
