"""Org events: past-tense records of changes to departments, users and credentials (the audit
trail of who changed the organisation). Secrets and password hashes never appear here."""

from __future__ import annotations

from dataclasses import dataclass

from cityops.kernel.events import Event


@dataclass(frozen=True, kw_only=True)
class DepartmentCreated(Event, wire="org.department_created", version=1):
    department_id: int
    code: str
    kind: str
    area_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class DepartmentUpdated(Event, wire="org.department_updated", version=1):
    department_id: int
    code: str
    changed: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class UserCreated(Event, wire="org.user_created", version=1):
    user_id: int
    username: str
    roles: tuple[str, ...] = ()
    department_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class UserUpdated(Event, wire="org.user_updated", version=1):
    user_id: int
    username: str
    changed: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class UserDeactivated(Event, wire="org.user_deactivated", version=1):
    user_id: int
    username: str


@dataclass(frozen=True, kw_only=True)
class ApiTokenCreated(Event, wire="org.api_token_created", version=1):
    token_id: int
    token_name: str
    user_id: int


@dataclass(frozen=True, kw_only=True)
class ApiTokenRevoked(Event, wire="org.api_token_revoked", version=1):
    token_id: int
    token_name: str
    user_id: int
