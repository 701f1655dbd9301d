"""Departments, users and credentials as plain Python: the records others see, the commands that
change them, and the pure rules (input checks, the longest-prefix office rule)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cityops.kernel.actor import Role
from cityops.kernel.errors import ValidationFailed
from cityops.kernel.text import clean_text

PASSWORD_MIN_LENGTH = 8
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
DEPARTMENT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
AREA_CODE_RE = re.compile(r"^[0-9]{6,24}$")


class DepartmentKind(StrEnum):
    city_department = "city_department"  # 市级部门
    district_government = "district_government"  # 区政府
    street_office = "street_office"  # 街道办事处
    company = "company"  # 公共服务企业 (water, gas, power …)


# Kinds bound to a place: they must name the area they are responsible for.
AREA_BOUND_KINDS = frozenset({DepartmentKind.district_government, DepartmentKind.street_office})


@dataclass(frozen=True)
class DepartmentRef:
    """A department (承办单位) as other domains see it."""

    id: int
    code: str
    name: str
    kind: DepartmentKind
    area_code: str | None
    parent_id: int | None = None
    phone: str | None = None
    active: bool = True


@dataclass(frozen=True)
class UserRef:
    """A user account as others see it (never the password hash)."""

    id: int
    username: str
    display_name: str
    roles: tuple[Role, ...]
    department_id: int | None
    department_code: str | None
    area_codes: tuple[str, ...]
    phone: str | None
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class ApiTokenRef:
    """An integration API token's record; the secret itself is shown once, at creation."""

    id: int
    name: str
    user_id: int
    username: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class IssuedApiToken:
    token: str  # shown once; only its sha256 is stored
    ref: ApiTokenRef


@dataclass(frozen=True)
class AccessToken:
    """The result of a password login (OAuth2 password flow)."""

    access_token: str
    expires_in: int  # seconds
    user: UserRef
    token_type: str = "bearer"


@dataclass(frozen=True)
class NewDepartment:
    code: str
    name: str
    kind: DepartmentKind
    area_code: str | None = None
    parent_code: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class DepartmentUpdate:
    """Fields left as None stay as they are."""

    name: str | None = None
    area_code: str | None = None
    phone: str | None = None
    active: bool | None = None


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    roles: Iterable[Role | str]
    display_name: str = ""
    department_code: str | None = None
    area_codes: tuple[str, ...] = ()
    phone: str | None = None


@dataclass(frozen=True)
class UserUpdate:
    """Fields left as None stay as they are. `department_code=""` removes the department."""

    display_name: str | None = None
    password: str | None = None
    roles: tuple[Role | str, ...] | None = None
    department_code: str | None = None
    area_codes: tuple[str, ...] | None = None
    phone: str | None = None
    active: bool | None = None


@dataclass(frozen=True)
class NewApiToken:
    name: str
    username: str | None = None  # the user the token acts as; None: the caller


# --- rules -----------------------------------------------------------------------------------


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        raise ValidationFailed(
            f"username {username!r} is not valid: use 2–64 lowercase letters, digits, '_', '.' "
            "or '-', starting with a letter or digit",
            code="invalid_username",
        )
    return name


def check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationFailed(
            f"the password is too short: use at least {PASSWORD_MIN_LENGTH} characters",
            code="password_too_short",
        )
    return password


def parse_roles(values: Iterable[Role | str]) -> tuple[Role, ...]:
    """Role names → roles (sorted, no duplicates); an unknown name lists the valid ones."""
    roles: set[Role] = set()
    for value in values:
        try:
            roles.add(Role(value))
        except ValueError:
            valid = ", ".join(r.value for r in Role)
            raise ValidationFailed(
                f"unknown role {value!r}; valid roles: {valid}",
                code="unknown_role",
                valid_roles=[r.value for r in Role],
            ) from None
    if not roles:
        raise ValidationFailed("a user needs at least one role", code="no_role")
    return tuple(sorted(roles, key=list(Role).index))


def check_area_codes(codes: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for code in codes:
        code = code.strip()
        if not AREA_CODE_RE.match(code):
            raise ValidationFailed(
                f"area code {code!r} is not valid: area codes are 6 or more digits",
                code="invalid_area_code",
            )
        if code not in out:
            out.append(code)
    return tuple(out)


def check_user_scope(
    roles: tuple[Role, ...], department_code: str | None, area_codes: tuple[str, ...]
) -> None:
    """A handler works for a department; an inspector patrols areas."""
    if Role.handler in roles and not department_code:
        raise ValidationFailed(
            "a user with the role 'handler' must belong to a department", code="handler_department"
        )
    if Role.inspector in roles and not area_codes:
        raise ValidationFailed(
            "a user with the role 'inspector' needs at least one area code", code="inspector_area"
        )


def check_department(cmd: NewDepartment) -> NewDepartment:
    code = cmd.code.strip()
    if not DEPARTMENT_CODE_RE.match(code):
        raise ValidationFailed(
            f"department code {cmd.code!r} is not valid: use up to 40 letters, digits, '_', '.' "
            "or '-'",
            code="invalid_department_code",
        )
    name = clean_text(cmd.name).strip()
    if not name:
        raise ValidationFailed("a department needs a name", code="missing_name")
    try:
        kind = DepartmentKind(cmd.kind)
    except ValueError:
        valid = ", ".join(k.value for k in DepartmentKind)
        raise ValidationFailed(
            f"unknown department kind {cmd.kind!r}; valid kinds: {valid}", code="unknown_kind"
        ) from None
    area = check_area_codes([cmd.area_code])[0] if cmd.area_code else None
    if kind in AREA_BOUND_KINDS and area is None:
        raise ValidationFailed(
            f"a department of kind {kind.value!r} must name its area (area_code)",
            code="missing_area",
        )
    return NewDepartment(
        code=code,
        name=name,
        kind=kind,
        area_code=area,
        parent_code=cmd.parent_code or None,
        phone=clean_text(cmd.phone or "").strip() or None,
    )


def longest_prefix_office(
    candidates: Iterable[DepartmentRef], area_code: str
) -> DepartmentRef | None:
    """The department whose area contains `area_code` most narrowly (its code is the longest
    prefix of `area_code`). Inactive departments and unbound ones never match."""
    best: DepartmentRef | None = None
    for dept in candidates:
        if not dept.active or not dept.area_code or not area_code.startswith(dept.area_code):
            continue
        if best is None or len(dept.area_code) > len(best.area_code or ""):
            best = dept
    return best


def area_prefixes(area_code: str) -> list[str]:
    """Every prefix of an area code that could be an enclosing area (6 digits and longer)."""
    return [area_code[:n] for n in range(min(6, len(area_code)), len(area_code) + 1)]
