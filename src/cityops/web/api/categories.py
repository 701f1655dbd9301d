"""API: the category taxonomy and responsibility list (权责清单).

Reading the list needs no login (the citizen portal offers the categories); exporting and the
change history need a signed-in user; changing and importing need an administrator."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from cityops.kernel.errors import ValidationFailed
from cityops.taxonomy.public import (
    Category,
    CategoryKind,
    CategoryRevision,
    FileFormat,
    ImportResult,
    ResponsibleKind,
    TaxonomyFormatError,
    Urgency,
    category_from_row,
    check_manage_taxonomy,
    parse_rows,
    render,
)
from cityops.web.deps import CurrentActor, PlatformDep, PublicReads, ReadSession
from cityops.worktime.public import LimitUnit, Stage

router = APIRouter(prefix="/api/v1", tags=["categories"])

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class TimeLimitPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: float = Field(gt=0, examples=[3])
    unit: LimitUnit = Field(examples=[LimitUnit.working_days])


class CategoryUpdate(BaseModel):
    """A category as PUT to /categories/{code}: parent, level and kind follow from the code."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["上水井盖"])
    filing_condition: str = Field(min_length=1, examples=["井盖缺失、破损、移位，影响通行安全"])
    urgency: Urgency = Urgency.normal
    responsible_kind: ResponsibleKind
    department_code: str | None = Field(default=None, examples=["GSGS"])
    limits: dict[Stage, TimeLimitPublic]
    active: bool = True
    keywords: list[str] | None = Field(
        default=None,
        max_length=30,
        description="words that name the category in an appeal (关键词), read by smart routing;"
        " left out: the stored ones are kept",
        examples=[["井盖", "窨井盖"]],
    )


class CategoryPublic(BaseModel):
    code: str = Field(examples=["C010101"])
    name: str
    parent_code: str | None
    level: int = Field(description="1 大类, 2 小类, 3 细类")
    kind: CategoryKind
    filing_condition: str
    urgency: Urgency
    responsible_kind: ResponsibleKind
    department_code: str | None
    limits: dict[Stage, TimeLimitPublic]
    active: bool
    leaf: bool = Field(description="true when the category has no active children")
    keywords: list[str] = Field(description="关键词: words that name it in an appeal's text")

    @classmethod
    def of(cls, category: Category, parents: AbstractSet[str]) -> CategoryPublic:
        return cls(
            code=category.code,
            name=category.name,
            parent_code=category.parent_code,
            level=category.level,
            kind=category.kind,
            filing_condition=category.filing_condition,
            urgency=category.urgency,
            responsible_kind=category.responsible_kind,
            department_code=category.department_code,
            limits={
                stage: TimeLimitPublic(amount=limit.amount, unit=limit.unit)
                for stage, limit in category.limits.items()
            },
            active=category.active,
            leaf=category.code not in parents,
            keywords=list(category.keywords),
        )


class CategoryRevisionPublic(BaseModel):
    revision: int
    change: str = Field(description="created | updated | deactivated")
    changed_at: datetime
    changed_by: str
    before: dict[str, Any] | None
    after: dict[str, Any]

    @classmethod
    def of(cls, rev: CategoryRevision) -> CategoryRevisionPublic:
        return cls(
            revision=rev.revision,
            change=rev.change,
            changed_at=rev.changed_at,
            changed_by=rev.changed_by,
            before=dict(rev.before) if rev.before is not None else None,
            after=dict(rev.after),
        )


class ImportResultPublic(BaseModel):
    created: int
    updated: int
    unchanged: int
    total: int

    @classmethod
    def of(cls, result: ImportResult) -> ImportResultPublic:
        return cls(
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            total=result.total,
        )


@router.get("/categories", response_model=list[CategoryPublic], dependencies=[PublicReads])
def list_categories(
    platform: PlatformDep,
    session: ReadSession,
    kind: CategoryKind | None = None,
    q: Annotated[str | None, Query(max_length=50, description="search name or code")] = None,
    leaf_only: bool = False,
    include_inactive: bool = False,
) -> list[CategoryPublic]:
    service = platform.taxonomy
    found = service.list_categories(
        session, kind=kind, leaf_only=leaf_only, q=q, include_inactive=include_inactive
    )
    parents = service.parent_codes(session)
    return [CategoryPublic.of(c, parents) for c in found]


@router.get(
    "/categories/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/yaml": {}}}},
)
def export_categories(
    platform: PlatformDep,
    session: ReadSession,
    _actor: CurrentActor,
    format: FileFormat = FileFormat.csv,
) -> Response:
    text = render(platform.taxonomy.export_categories(session), format)
    media = "text/csv; charset=utf-8" if format is FileFormat.csv else "application/yaml"
    return Response(
        content=text.encode("utf-8"),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="categories.{format.value}"'},
    )


@router.post("/categories/import", response_model=ImportResultPublic)
def import_categories(
    platform: PlatformDep,
    actor: CurrentActor,
    file: Annotated[UploadFile, File(description="a .csv, .yaml or .yml file")],
    format: FileFormat | None = None,
) -> ImportResultPublic:
    """Create or update the categories in the file — all of them, or none when a row is bad."""
    check_manage_taxonomy(actor)
    content = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationFailed(f"the file exceeds {MAX_IMPORT_BYTES} bytes", code="file_too_large")
    fmt = format or FileFormat.of_path(file.filename or "")
    try:
        rows = parse_rows(content, fmt)
    except UnicodeDecodeError as exc:
        raise ValidationFailed("the file is not UTF-8 text", code="unreadable_file") from exc
    with platform.uow() as uow:
        result = platform.taxonomy.import_categories(uow, actor, rows)
    return ImportResultPublic.of(result)


@router.get("/categories/{code}", response_model=CategoryPublic, dependencies=[PublicReads])
def get_category(platform: PlatformDep, session: ReadSession, code: str) -> CategoryPublic:
    category = platform.taxonomy.get_category(session, code)
    return CategoryPublic.of(category, platform.taxonomy.parent_codes(session))


@router.put("/categories/{code}", response_model=CategoryPublic)
def put_category(
    platform: PlatformDep, actor: CurrentActor, code: str, body: CategoryUpdate
) -> CategoryPublic:
    """Create or replace a category (administrators); the change is recorded as a revision."""
    row = body.model_dump(mode="json")
    row["code"] = code
    try:
        category = category_from_row(row)
    except TaxonomyFormatError as exc:
        raise ValidationFailed(str(exc), code="invalid_category") from exc
    with platform.uow() as uow:
        if body.keywords is None:  # not given: keep the stored ones
            stored = platform.taxonomy.find_category(uow.session, code)
            if stored is not None:
                category = replace(category, keywords=stored.keywords)
        saved = platform.taxonomy.upsert_category(uow, actor, category)
        parents = platform.taxonomy.parent_codes(uow.session)
    return CategoryPublic.of(saved, parents)


@router.get("/categories/{code}/revisions", response_model=list[CategoryRevisionPublic])
def category_revisions(
    platform: PlatformDep, session: ReadSession, _actor: CurrentActor, code: str
) -> list[CategoryRevisionPublic]:
    return [CategoryRevisionPublic.of(r) for r in platform.taxonomy.revisions(session, code)]
