"""API: devices in bulk — `POST /api/v1/sensing/devices/import` (a CSV or Excel file; all rows
or none, with a per-row error report: sensing/device_import.py) and
`GET /api/v1/sensing/devices/export?format=csv|xlsx` (CSV streamed). Included before the
sensing router, whose `/sensing/devices/{code}` would otherwise take "import" for a code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel

from cityops.kernel.clock import SHANGHAI
from cityops.kernel.errors import ValidationFailed
from cityops.sensing.public import (
    DeviceFileFormat,
    DeviceStatus,
)
from cityops.sensing.public import device_csv_chunks as csv_chunks
from cityops.sensing.public import device_xlsx_bytes as xlsx_bytes
from cityops.sensing.public import read_device_rows as read_rows
from cityops.web.deps import CurrentActor, PlatformDep
from cityops.web.errors import error_body

router = APIRouter(prefix="/api/v1", tags=["sensing"])

MAX_DEVICE_FILE_BYTES = 32 * 1024 * 1024  # 100,000 devices of CSV are about 10 MB


class RowErrorPublic(BaseModel):
    row: int
    column: str
    code: str
    message: str


class DeviceImportPublic(BaseModel):
    rows: int
    imported: int
    error_count: int
    errors: list[RowErrorPublic]


@router.post(
    "/sensing/devices/import",
    response_model=DeviceImportPublic,
    responses={422: {"description": "a row is wrong: nothing was written; details.errors"}},
)
def import_devices(
    platform: PlatformDep,
    actor: CurrentActor,
    file: Annotated[UploadFile, File(description="a .csv (UTF-8) or .xlsx file")],
) -> Any:
    """Register the devices of the file (administrators, integrations) — all of them, or none
    when any row is wrong: then 422 `device_import_rejected` with each error's row, column and
    message in `details.errors` (the first 1,000; `details.error_count` counts all)."""
    platform.device_transfer.may_import(actor)
    content = file.file.read(MAX_DEVICE_FILE_BYTES + 1)
    if len(content) > MAX_DEVICE_FILE_BYTES:
        raise ValidationFailed(
            f"the file exceeds {MAX_DEVICE_FILE_BYTES} bytes", code="file_too_large"
        )
    file_rows = read_rows(content, DeviceFileFormat.of_name(file.filename or ""))  # or 422
    with platform.uow() as uow:
        report = platform.device_transfer.import_devices(uow.session, actor, file_rows)
    platform.sensing.directory.forget()
    body = DeviceImportPublic(
        rows=report.rows,
        imported=report.imported,
        error_count=report.error_count,
        errors=[RowErrorPublic(**vars(e)) for e in report.errors],
    )
    if report.error_count:
        return JSONResponse(
            error_body(
                "device_import_rejected",
                f"{report.error_count} errors in the file; no device was registered",
                **body.model_dump(),
            ),
            status_code=422,
        )
    return body


@router.get(
    "/sensing/devices/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/vnd.ms-excel": {}}}},
)
def export_devices(
    platform: PlatformDep,
    actor: CurrentActor,
    type_code: Annotated[str | None, Query(max_length=40)] = None,
    area: Annotated[str | None, Query(max_length=40, description="an area code (prefix)")] = None,
    status: DeviceStatus | None = None,
    q: Annotated[str | None, Query(max_length=64, description="code or name holds")] = None,
    fmt: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """The devices of the filter (as the list's) as CSV, streamed, or Excel; the columns are
    the import's, so a file can be edited and imported elsewhere."""
    filters: dict[str, Any] = {
        "type_code": type_code,
        "area_prefix": area,
        "status": status.value if status else None,
        "query": q,
    }
    stamp = platform.clock.now().astimezone(SHANGHAI).strftime("%Y%m%d-%H%M")
    with platform.read() as session:  # refused before anything is streamed
        found = platform.device_transfer.export_devices(session, actor, **filters)
        if fmt == "xlsx":
            return Response(
                xlsx_bytes(found),
                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers={"Content-Disposition": f'attachment; filename="devices-{stamp}.xlsx"'},
            )

    def chunks() -> Iterator[str]:
        with platform.read() as session:
            yield from csv_chunks(
                platform.device_transfer.export_devices(session, actor, **filters)
            )

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="devices-{stamp}.csv"'},
    )
