"""API: users (administrators manage them; everyone may read their own account)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from cityops.kernel.errors import NotFound
from cityops.org import public as org
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession
from cityops.web.params import RowId

router = APIRouter(prefix="/api/v1", tags=["users"])


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    roles: list[str]
    department_id: int | None
    department_code: str | None
    area_codes: list[str]
    phone: str | None
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, user: org.UserRef) -> UserPublic:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            roles=[r.value for r in user.roles],
            department_id=user.department_id,
            department_code=user.department_code,
            area_codes=list(user.area_codes),
            phone=user.phone,
            active=user.active,
            created_at=user.created_at,
        )


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(max_length=200, description="at least 8 characters")
    roles: list[str] = Field(min_length=1, max_length=10, examples=[["dispatcher"]])
    display_name: str = Field(default="", max_length=120)
    department_code: str | None = Field(default=None, max_length=40)
    area_codes: list[str] = Field(default_factory=list, max_length=500)
    phone: str | None = Field(default=None, max_length=40)


class UserUpdate(BaseModel):
    """Only the fields sent change; `department_code: null` removes the department."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, max_length=120)
    password: str | None = Field(default=None, max_length=200)
    roles: list[str] | None = Field(default=None, min_length=1, max_length=10)
    department_code: str | None = Field(default=None, max_length=40)
    area_codes: list[str] | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, max_length=40)
    active: bool | None = None


@router.get("/users/me", response_model=UserPublic)
def read_me(platform: PlatformDep, session: ReadSession, actor: CurrentActor) -> UserPublic:
    if actor.user_id is None:
        raise NotFound("this token does not belong to a user account", code="not_a_user")
    return UserPublic.of(platform.org.get_user(session, actor, actor.user_id))


@router.get("/users", response_model=list[UserPublic])
def list_users(
    platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> list[UserPublic]:
    return [UserPublic.of(u) for u in platform.org.list_users(session, actor)]


@router.post("/users", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, platform: PlatformDep, actor: CurrentActor) -> UserPublic:
    cmd = org.NewUser(
        username=body.username,
        password=body.password,
        roles=tuple(body.roles),
        display_name=body.display_name,
        department_code=body.department_code,
        area_codes=tuple(body.area_codes),
        phone=body.phone,
    )
    with platform.uow() as uow:
        user = platform.org.create_user(uow, actor, cmd)
    return UserPublic.of(user)


@router.get("/users/{user_id}", response_model=UserPublic)
def read_user(
    user_id: RowId, platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> UserPublic:
    return UserPublic.of(platform.org.get_user(session, actor, user_id))


@router.patch("/users/{user_id}", response_model=UserPublic)
def update_user(
    user_id: RowId, body: UserUpdate, platform: PlatformDep, actor: CurrentActor
) -> UserPublic:
    sent = body.model_fields_set
    cmd = org.UserUpdate(
        display_name=body.display_name,
        password=body.password,
        roles=tuple(body.roles) if body.roles is not None else None,
        department_code=(body.department_code or "") if "department_code" in sent else None,
        area_codes=tuple(body.area_codes) if body.area_codes is not None else None,
        phone=(body.phone or "") if "phone" in sent else None,
        active=body.active,
    )
    with platform.uow() as uow:
        user = platform.org.update_user(uow, actor, user_id, cmd)
    return UserPublic.of(user)
