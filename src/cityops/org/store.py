"""Tables and queries of the org domain. Tables never leave this module."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    Row,
    String,
    Table,
    bindparam,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from cityops.infra.db import UTCDateTime, metadata
from cityops.kernel.actor import Role
from cityops.org.model import ApiTokenRef, DepartmentKind, DepartmentRef, UserRef

departments = Table(
    "departments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("area_code", String(24), nullable=True, index=True),
    Column("parent_id", Integer, ForeignKey("departments.id"), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=True, index=True),
    Column("area_codes", JSON, nullable=False),
    Column("phone", String(40), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime(), nullable=False),
    # raised by a password change, a deactivation and "sign out everywhere": a bearer token
    # carries the generation it was issued under and is refused once it is not the current one
    Column("token_generation", Integer, nullable=False, default=0, server_default="0"),
)

user_roles = Table(
    "user_roles",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(30), primary_key=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_used_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

# Bearer tokens signed out before they expire, by their id (`jti`); a row is deleted once its
# token would have expired anyway.
revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("token_id", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False, index=True),
    Column("revoked_at", UTCDateTime(), nullable=False),
)


# --- departments -----------------------------------------------------------------------------


def _department(row: Row[Any]) -> DepartmentRef:
    return DepartmentRef(
        id=row.id,
        code=row.code,
        name=row.name,
        kind=DepartmentKind(row.kind),
        area_code=row.area_code,
        parent_id=row.parent_id,
        phone=row.phone,
        active=bool(row.active),
    )


def get_department(
    session: Session, *, id: int | None = None, code: str | None = None
) -> DepartmentRef | None:
    query = select(departments)
    query = query.where(departments.c.id == id) if id is not None else query
    query = query.where(departments.c.code == code) if code is not None else query
    row = session.execute(query).first()
    return _department(row) if row is not None else None


def list_departments(session: Session, kind: DepartmentKind | None = None) -> list[DepartmentRef]:
    query = select(departments).order_by(departments.c.code)
    if kind is not None:
        query = query.where(departments.c.kind == kind.value)
    return [_department(r) for r in session.execute(query)]


def departments_on_areas(
    session: Session, kind: DepartmentKind, area_codes: Sequence[str]
) -> list[DepartmentRef]:
    query = (
        select(departments)
        .where(departments.c.kind == kind.value, departments.c.area_code.in_(list(area_codes)))
        .order_by(departments.c.id)
    )
    return [_department(r) for r in session.execute(query)]


def insert_department(session: Session, values: Mapping[str, Any]) -> int:
    result = session.execute(insert(departments).values(**values).returning(departments.c.id))
    return int(result.scalar_one())


def update_department(session: Session, dept_id: int, values: Mapping[str, Any]) -> None:
    if values:
        session.execute(update(departments).where(departments.c.id == dept_id).values(**values))


# --- users -----------------------------------------------------------------------------------

_USER_COLUMNS = (
    users.c.id,
    users.c.username,
    users.c.display_name,
    users.c.password_hash,
    users.c.department_id,
    users.c.area_codes,
    users.c.phone,
    users.c.active,
    users.c.created_at,
    users.c.token_generation,
    departments.c.code.label("department_code"),
    departments.c.area_code.label("department_area_code"),
)


def _users_query() -> Any:
    return select(*_USER_COLUMNS).select_from(
        users.outerjoin(departments, users.c.department_id == departments.c.id)
    )


def _roles_of(session: Session, user_ids: Iterable[int]) -> dict[int, list[Role]]:
    ids = list(user_ids)
    out: dict[int, list[Role]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.execute(
        select(user_roles.c.user_id, user_roles.c.role).where(user_roles.c.user_id.in_(ids))
    )
    for user_id, role in rows:
        out[user_id].append(Role(role))
    return out


def _user(row: Row[Any], roles: list[Role]) -> UserRef:
    return UserRef(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        roles=tuple(sorted(roles, key=list(Role).index)),
        department_id=row.department_id,
        department_code=row.department_code,
        area_codes=tuple(row.area_codes or ()),
        phone=row.phone,
        active=bool(row.active),
        created_at=row.created_at,
    )


@dataclass(frozen=True)
class StoredUser:
    user: UserRef
    password_hash: str
    department_area_code: str | None
    token_generation: int = 0


def get_user(
    session: Session, *, id: int | None = None, username: str | None = None
) -> StoredUser | None:
    """The user with their password hash and their department's area, by id or username."""
    query = _users_query()
    query = query.where(users.c.id == id) if id is not None else query
    query = query.where(users.c.username == username) if username is not None else query
    row = session.execute(query).first()
    if row is None:
        return None
    user = _user(row, _roles_of(session, [row.id])[row.id])
    return StoredUser(
        user, row.password_hash, row.department_area_code, int(row.token_generation or 0)
    )


def list_users(session: Session) -> list[UserRef]:
    rows = session.execute(_users_query().order_by(users.c.username)).all()
    roles = _roles_of(session, (r.id for r in rows))
    return [_user(r, roles[r.id]) for r in rows]


def insert_user(session: Session, values: Mapping[str, Any], roles: Sequence[Role]) -> int:
    user_id = int(
        session.execute(insert(users).values(**values).returning(users.c.id)).scalar_one()
    )
    set_roles(session, user_id, roles)
    return user_id


def update_user(session: Session, user_id: int, values: Mapping[str, Any]) -> None:
    if values:
        session.execute(update(users).where(users.c.id == user_id).values(**values))


def set_roles(session: Session, user_id: int, roles: Sequence[Role]) -> None:
    session.execute(delete(user_roles).where(user_roles.c.user_id == user_id))
    session.execute(
        insert(user_roles), [{"user_id": user_id, "role": role.value} for role in roles]
    )


# --- API tokens ------------------------------------------------------------------------------


def _token(row: Row[Any]) -> ApiTokenRef:
    return ApiTokenRef(
        id=row.id,
        name=row.name,
        user_id=row.user_id,
        username=row.username,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


def _tokens_query() -> Any:
    return select(
        api_tokens.c.id,
        api_tokens.c.name,
        api_tokens.c.user_id,
        api_tokens.c.created_at,
        api_tokens.c.last_used_at,
        api_tokens.c.revoked_at,
        users.c.username,
    ).select_from(api_tokens.join(users, api_tokens.c.user_id == users.c.id))


def get_api_token(
    session: Session, *, id: int | None = None, token_hash: str | None = None
) -> ApiTokenRef | None:
    query = _tokens_query()
    query = query.where(api_tokens.c.id == id) if id is not None else query
    if token_hash is not None:
        query = query.where(api_tokens.c.token_hash == token_hash)
    row = session.execute(query).first()
    return _token(row) if row is not None else None


def list_api_tokens(session: Session) -> list[ApiTokenRef]:
    return [_token(r) for r in session.execute(_tokens_query().order_by(api_tokens.c.id))]


def insert_api_token(session: Session, values: Mapping[str, Any]) -> int:
    result = session.execute(insert(api_tokens).values(**values).returning(api_tokens.c.id))
    return int(result.scalar_one())


def revoke_api_token(session: Session, token_id: int, at: datetime) -> None:
    session.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=at))


def touch_api_token(session: Session, token_hash: str, at: datetime) -> None:
    session.execute(
        update(api_tokens).where(api_tokens.c.token_hash == token_hash).values(last_used_at=at)
    )


def on_commit(session: Session, do: Callable[[], None]) -> None:
    """Call `do` once the session's transaction has committed (never if it rolls back): caches
    of this process are cleared then, so no request reloads the old row in between."""
    event.listen(session, "after_commit", lambda _session: do(), once=True)


# --- bearer token standing -------------------------------------------------------------------


@dataclass(frozen=True)
class TokenStanding:
    """What decides on every request whether a user's token still works."""

    active: bool
    generation: int
    revoked: bool


_STANDING = select(
    users.c.active,
    users.c.token_generation,
    select(revoked_tokens.c.token_id)
    .where(revoked_tokens.c.token_id == bindparam("token_id"))
    .exists()
    .label("revoked"),
).where(users.c.id == bindparam("user_id"))


def token_standing(session: Session, user_id: int, token_id: str) -> TokenStanding | None:
    """One primary-key read: the user's active flag and generation, and whether the token with
    this id was signed out. None for an unknown user."""
    row = session.execute(_STANDING, {"user_id": user_id, "token_id": token_id}).first()
    if row is None:
        return None
    return TokenStanding(bool(row.active), int(row.token_generation), bool(row.revoked))


def user_active(session: Session, user_id: int) -> bool:
    return bool(session.execute(select(users.c.active).where(users.c.id == user_id)).scalar())


def raise_token_generation(session: Session, user_id: int) -> None:
    session.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(token_generation=users.c.token_generation + 1)
    )


def revoke_token(
    session: Session, *, token_id: str, user_id: int, expires_at: datetime, at: datetime
) -> None:
    """Sign one bearer token out (again is a no-op), and forget tokens that expired by now."""
    session.execute(delete(revoked_tokens).where(revoked_tokens.c.expires_at <= at))
    known = session.execute(
        select(revoked_tokens.c.token_id).where(revoked_tokens.c.token_id == token_id)
    ).first()
    if known is None:
        session.execute(
            insert(revoked_tokens).values(
                token_id=token_id, user_id=user_id, expires_at=expires_at, revoked_at=at
            )
        )
