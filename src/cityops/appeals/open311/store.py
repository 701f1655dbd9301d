"""Open311 tables and queries: api keys (hashes only) and which key submitted which request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, String, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from cityops.appeals.open311.keys import ApiKey
from cityops.infra.db import UTCDateTime, metadata

open311_api_keys = Table(
    "open311_api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(60), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("last_used_at", UTCDateTime(), nullable=True),
)

open311_requests = Table(
    "open311_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, nullable=False, unique=True),
    Column("case_number", String(32), nullable=False),
    Column("token", String(32), nullable=False, unique=True),
    Column("api_key_id", Integer, ForeignKey("open311_api_keys.id"), nullable=False),
    Column("account_id", String(120), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)


def _key(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


_KEY_COLUMNS = (
    open311_api_keys.c.id,
    open311_api_keys.c.name,
    open311_api_keys.c.created_at,
    open311_api_keys.c.revoked_at,
    open311_api_keys.c.last_used_at,
)


def insert_key(session: Session, *, name: str, key_hash: str, at: datetime) -> ApiKey:
    key_id = session.execute(
        insert(open311_api_keys)
        .values(name=name, key_hash=key_hash, created_at=at)
        .returning(open311_api_keys.c.id)
    ).scalar_one()
    found = get_key(session, key_id=key_id)
    assert found is not None
    return found


def get_key(
    session: Session,
    *,
    key_id: int | None = None,
    key_hash: str | None = None,
    name: str | None = None,
) -> ApiKey | None:
    if name is not None and key_id is None and key_hash is None:  # every POST asks this one
        row = session.execute(_KEY_BY_NAME, {"name": name}).first()
        return _key(row) if row is not None else None
    stmt = select(*_KEY_COLUMNS)
    if name is not None:
        stmt = stmt.where(open311_api_keys.c.name == name)
    if key_id is not None:
        stmt = stmt.where(open311_api_keys.c.id == key_id)
    if key_hash is not None:
        stmt = stmt.where(open311_api_keys.c.key_hash == key_hash)
    row = session.execute(stmt).first()
    return _key(row) if row is not None else None


_KEY_BY_NAME = select(*_KEY_COLUMNS).where(open311_api_keys.c.name == bindparam("name"))


def list_keys(session: Session) -> list[ApiKey]:
    rows = session.execute(select(*_KEY_COLUMNS).order_by(open311_api_keys.c.id))
    return [_key(r) for r in rows]


def set_key(session: Session, key_id: int, **values: Any) -> None:
    session.execute(
        update(open311_api_keys).where(open311_api_keys.c.id == key_id).values(**values)
    )


def insert_requests(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Record submitted requests (case_id, case_number, token, api_key_id, account_id,
    created_at), in one statement."""
    if rows:
        session.execute(insert(open311_requests), [dict(r) for r in rows])


def case_of_token(session: Session, token: str) -> tuple[int, str] | None:
    """(case id, case number) of a request submitted through Open311 with this token."""
    stmt = select(open311_requests.c.case_id, open311_requests.c.case_number).where(
        open311_requests.c.token == token
    )
    row = session.execute(stmt).first()
    return (row.case_id, row.case_number) if row is not None else None
