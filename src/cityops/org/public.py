"""What other parts may use of the org domain: the service, its records and commands."""

from __future__ import annotations

from cityops.org.credentials import API_TOKEN_PREFIX, is_api_token
from cityops.org.events import (
    ApiTokenCreated,
    ApiTokenRevoked,
    DepartmentCreated,
    DepartmentUpdated,
    UserCreated,
    UserDeactivated,
    UserUpdated,
)
from cityops.org.model import (
    PASSWORD_MIN_LENGTH,
    AccessToken,
    ApiTokenRef,
    DepartmentKind,
    DepartmentRef,
    DepartmentUpdate,
    IssuedApiToken,
    NewApiToken,
    NewDepartment,
    NewUser,
    UserRef,
    UserUpdate,
)
from cityops.org.password_checks import SignInBusy
from cityops.org.service import OrgService
from cityops.org.throttle import SignInThrottled

__all__ = [
    "API_TOKEN_PREFIX",
    "PASSWORD_MIN_LENGTH",
    "AccessToken",
    "ApiTokenCreated",
    "ApiTokenRef",
    "ApiTokenRevoked",
    "DepartmentCreated",
    "DepartmentKind",
    "DepartmentRef",
    "DepartmentUpdate",
    "DepartmentUpdated",
    "IssuedApiToken",
    "NewApiToken",
    "NewDepartment",
    "NewUser",
    "OrgService",
    "SignInBusy",
    "SignInThrottled",
    "UserCreated",
    "UserDeactivated",
    "UserRef",
    "UserUpdate",
    "UserUpdated",
    "is_api_token",
]
