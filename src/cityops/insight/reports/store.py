"""The report archive: each built file with its period, format and who built it. The files are
kept in the database (a monthly PDF is a few hundred kilobytes), so every process of a
deployment serves the same archive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from cityops.infra.db import UTCDateTime, metadata
from cityops.insight.reports.period import ReportPeriod

_ID = BigInteger().with_variant(Integer, "sqlite")

reports = Table(
    "reports",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # daily | weekly | monthly
    Column("period", String(16), nullable=False),  # 2026-11, 2026-W47, 2026-11-23
    Column("format", String(8), nullable=False),  # xlsx | docx | pdf
    Column("title", String(200), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
    Index("ix_reports_period_format", "period", "format"),
)


@dataclass(frozen=True)
class ArchivedReport:
    id: int
    kind: str
    period: str
    format: str
    title: str
    size: int
    created_at: datetime
    created_by: str

    @property
    def filename(self) -> str:
        return f"report-{self.period}.{self.format}"


_COLUMNS = (
    reports.c.id,
    reports.c.kind,
    reports.c.period,
    reports.c.format,
    reports.c.title,
    reports.c.size,
    reports.c.created_at,
    reports.c.created_by,
)


def insert_report(
    session: Session,
    *,
    period: ReportPeriod,
    fmt: str,
    title: str,
    content: bytes,
    created_at: datetime,
    created_by: str,
) -> ArchivedReport:
    values = {
        "kind": period.kind.value,
        "period": period.label,
        "format": fmt,
        "title": title,
        "size": len(content),
        "created_at": created_at,
        "created_by": created_by,
    }
    new_id = session.execute(
        insert(reports).values(content=content, **values).returning(reports.c.id)
    ).scalar_one()
    return ArchivedReport(id=int(new_id), **values)  # type: ignore[arg-type]


def listing(session: Session, *, limit: int) -> list[ArchivedReport]:
    stmt = select(*_COLUMNS).order_by(reports.c.created_at.desc(), reports.c.id.desc()).limit(limit)
    return [ArchivedReport(*row) for row in session.execute(stmt).all()]


def file(session: Session, report_id: int) -> tuple[ArchivedReport, bytes] | None:
    row = session.execute(
        select(*_COLUMNS, reports.c.content).where(reports.c.id == report_id)
    ).first()
    if row is None:
        return None
    return ArchivedReport(*row[:-1]), bytes(row[-1])


def exists(session: Session, period: str, fmt: str) -> bool:
    stmt = select(func.count()).where(reports.c.period == period, reports.c.format == fmt)
    return int(session.execute(stmt).scalar_one()) > 0
