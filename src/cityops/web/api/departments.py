"""API: departments (承办单位). Any signed-in user may read them; administrators change them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from cityops.org import public as org
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession
from cityops.web.params import RowId

router = APIRouter(prefix="/api/v1", tags=["departments"])


class DepartmentPublic(BaseModel):
    id: int
    code: str
    name: str
    kind: org.DepartmentKind
    area_code: str | None
    parent_id: int | None
    phone: str | None
    active: bool

    @classmethod
    def of(cls, dept: org.DepartmentRef) -> DepartmentPublic:
        return cls(
            id=dept.id,
            code=dept.code,
            name=dept.name,
            kind=dept.kind,
            area_code=dept.area_code,
            parent_id=dept.parent_id,
            phone=dept.phone,
            active=dept.active,
        )


class DepartmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=40, examples=["CGJ"])
    name: str = Field(min_length=1, max_length=120, examples=["城市管理局"])
    kind: org.DepartmentKind
    area_code: str | None = Field(
        default=None, max_length=24, description="required for street offices and districts"
    )
    parent_code: str | None = Field(default=None, max_length=40)
    phone: str | None = Field(default=None, max_length=40)


class DepartmentUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    area_code: str | None = Field(default=None, max_length=24)
    phone: str | None = Field(default=None, max_length=40)
    active: bool | None = None


@router.get("/departments", response_model=list[DepartmentPublic])
def list_departments(
    platform: PlatformDep,
    session: ReadSession,
    _actor: CurrentActor,
    kind: Annotated[org.DepartmentKind | None, Query()] = None,
) -> list[DepartmentPublic]:
    return [DepartmentPublic.of(d) for d in platform.org.list_departments(session, kind=kind)]


@router.post("/departments", response_model=DepartmentPublic, status_code=status.HTTP_201_CREATED)
def create_department(
    body: DepartmentCreate, platform: PlatformDep, actor: CurrentActor
) -> DepartmentPublic:
    cmd = org.NewDepartment(
        code=body.code,
        name=body.name,
        kind=body.kind,
        area_code=body.area_code,
        parent_code=body.parent_code,
        phone=body.phone,
    )
    with platform.uow() as uow:
        dept = platform.org.create_department(uow, actor, cmd)
    return DepartmentPublic.of(dept)


@router.get("/departments/{department_id}", response_model=DepartmentPublic)
def read_department(
    department_id: RowId, platform: PlatformDep, session: ReadSession, _actor: CurrentActor
) -> DepartmentPublic:
    return DepartmentPublic.of(platform.org.department_by_id(session, department_id))


@router.patch("/departments/{department_id}", response_model=DepartmentPublic)
def update_department(
    department_id: RowId, body: DepartmentUpdate, platform: PlatformDep, actor: CurrentActor
) -> DepartmentPublic:
    cmd = org.DepartmentUpdate(
        name=body.name,
        area_code=body.area_code,
        phone=(body.phone or "") if "phone" in body.model_fields_set else None,
        active=body.active,
    )
    with platform.uow() as uow:
        dept = platform.org.update_department(uow, actor, department_id, cmd)
    return DepartmentPublic.of(dept)
