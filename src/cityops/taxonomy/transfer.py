"""Reading and writing the responsibility list as CSV or YAML, and loading the shipped default.

YAML (see default_taxonomy.yaml): `categories` is a list of items, flat or nested through
`children`; a child inherits filing_condition, urgency, the responsibility rule and each
stage's limit from its parent unless it sets them. `defaults.<kind>` seeds the top-level items.
An optional `departments` section lists the units the list routes to (code, name, kind).

CSV: one category per line with the columns of CSV_COLUMNS; limits as "1wh", "3wd", "2ch";
keywords (关键词) in one cell separated by 、. A file without a keywords column (or a YAML item
without `keywords`) leaves a stored category's keywords as they are.
Export writes every field of every category (flat), so export → import is lossless; names and
filing conditions are written under the text rule (kernel/text.py), whatever is stored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import Actor
from cityops.kernel.errors import ValidationFailed
from cityops.taxonomy.model import LIMIT_COLUMNS, Category, ResponsibleKind, cleaned, kind_of
from cityops.taxonomy.service import ImportResult, ProgressCallback, TaxonomyService
from cityops.worktime.public import Stage

DEFAULT_TAXONOMY_FILE = Path(__file__).with_name("default_taxonomy.yaml")
CSV_COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "parent_code",
    "level",
    "kind",
    "filing_condition",
    "urgency",
    "responsible_kind",
    "department_code",
    *LIMIT_COLUMNS,
    "active",
    "keywords",  # separated by 、
)
_INHERITED = ("filing_condition", "urgency", "responsible_kind", "department_code")


class FileFormat(StrEnum):
    csv = "csv"
    yaml = "yaml"

    @classmethod
    def of_path(cls, path: Path | str) -> FileFormat:
        suffix = Path(path).suffix.lower()
        if suffix == ".csv":
            return cls.csv
        if suffix in (".yaml", ".yml"):
            return cls.yaml
        raise ValidationFailed(
            f"cannot tell the format of {Path(path).name!r}: use a .csv, .yaml or .yml file",
            code="unknown_format",
        )


@dataclass(frozen=True)
class DepartmentSpec:
    """A unit the list routes to, as the default list names it (org creates the department)."""

    code: str
    name: str
    kind: str  # an org DepartmentKind value: city_department | company | …


# reading ---------------------------------------------------------------------------------


def parse_rows(content: str | bytes, fmt: FileFormat) -> list[dict[str, Any]]:
    """Flat rows (one per category) from CSV or YAML text, ready for import_categories."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    return rows_from_csv(text) if fmt is FileFormat.csv else rows_from_yaml(text)


def read_rows(path: Path, fmt: FileFormat | None = None) -> list[dict[str, Any]]:
    return parse_rows(path.read_bytes(), fmt or FileFormat.of_path(path))


def rows_from_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip() for f in reader.fieldnames or []]
    if "code" not in fields:
        raise ValidationFailed(
            "the CSV has no 'code' column; expected columns: " + ",".join(CSV_COLUMNS),
            code="unreadable_file",
        )
    reader.fieldnames = fields
    return [
        {k: v for k, v in row.items() if k is not None}
        for row in reader
        if any((v or "").strip() for k, v in row.items() if k is not None)
    ]


# libyaml's C loader when present: the default list parses ten times faster
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(text: str) -> Mapping[str, Any]:
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"the YAML cannot be read: {exc}", code="unreadable_file") from exc
    if isinstance(data, list):
        data = {"categories": data}
    if not isinstance(data, Mapping) or not isinstance(data.get("categories"), list):
        raise ValidationFailed("the YAML must hold a 'categories' list", code="unreadable_file")
    return data


def rows_from_yaml(text: str) -> list[dict[str, Any]]:
    data = _load_yaml(text)
    defaults = data.get("defaults") or {}
    rows: list[dict[str, Any]] = []
    for item in data["categories"]:
        seed = (
            defaults.get(kind_of(str(_field(item, "code")))) if isinstance(item, Mapping) else None
        )
        _flatten(item, seed if isinstance(seed, Mapping) else {}, rows)
    return rows


def departments_from_yaml(text: str) -> list[DepartmentSpec]:
    data = _load_yaml(text)
    return [
        DepartmentSpec(code=str(d["code"]), name=str(d["name"]), kind=str(d["kind"]))
        for d in data.get("departments") or []
    ]


def _field(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, Mapping) else None


def _flatten(item: Any, inherited: Mapping[str, Any], out: list[dict[str, Any]]) -> None:
    if not isinstance(item, Mapping):
        out.append({"code": None, "_problem": f"not a mapping: {item!r}"})
        return
    row: dict[str, Any] = {k: v for k, v in item.items() if k not in ("children", "limits")}
    for key in _INHERITED:
        if key not in row and key in inherited:
            row[key] = inherited[key]
    own_kind = item.get("responsible_kind")
    if own_kind and own_kind != ResponsibleKind.department and "department_code" not in item:
        row["department_code"] = None
    if item.get("department_code") and "responsible_kind" not in item:
        row["responsible_kind"] = ResponsibleKind.department.value
    limits = dict(inherited.get("limits") or {})
    own_limits = item.get("limits")
    if isinstance(own_limits, Mapping):
        limits.update(own_limits)
    elif own_limits is not None:
        row["limits"] = own_limits  # let the row parser report it
    if "limits" not in row:
        row["limits"] = limits
    out.append(row)
    for child in item.get("children") or []:
        _flatten(child, row, out)


# writing ---------------------------------------------------------------------------------


def category_row(category: Category) -> dict[str, Any]:
    """A flat row with every field (limits as "3wd"), in CSV_COLUMNS order."""
    row: dict[str, Any] = {
        "code": category.code,
        "name": category.name,
        "parent_code": category.parent_code or "",
        "level": category.level,
        "kind": category.kind.value,
        "filing_condition": category.filing_condition,
        "urgency": category.urgency.value,
        "responsible_kind": category.responsible_kind.value,
        "department_code": category.department_code or "",
    }
    for stage in Stage:
        limit = category.limits.get(stage)
        row[stage.value] = str(limit) if limit else ""
    row["active"] = "true" if category.active else "false"
    row["keywords"] = "、".join(category.keywords)
    return row


def to_csv(categories: Iterable[Category]) -> str:
    """UTF-8 CSV text with a BOM so that spreadsheet programs read the Chinese correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for category in map(cleaned, categories):
        writer.writerow(category_row(category))
    return buffer.getvalue()


def to_yaml(categories: Iterable[Category]) -> str:
    items = []
    for category in map(cleaned, categories):
        item: dict[str, Any] = {
            "code": category.code,
            "name": category.name,
            "kind": category.kind.value,
            "filing_condition": category.filing_condition,
            "urgency": category.urgency.value,
            "responsible_kind": category.responsible_kind.value,
        }
        if category.department_code:
            item["department_code"] = category.department_code
        item["limits"] = {s.value: str(category.limits[s]) for s in Stage if s in category.limits}
        if not category.active:
            item["active"] = False
        if category.keywords:
            item["keywords"] = list(category.keywords)
        items.append(item)
    header = (
        "# cityops responsibility list (权责清单) export; import with `cityops taxonomy import`\n"
    )
    body = yaml.safe_dump(
        {"version": 1, "categories": items}, allow_unicode=True, sort_keys=False, width=100
    )
    return header + body


def render(categories: Sequence[Category], fmt: FileFormat) -> str:
    return to_csv(categories) if fmt is FileFormat.csv else to_yaml(categories)


# the shipped default list ----------------------------------------------------------------


def default_departments() -> list[DepartmentSpec]:
    """The units the default list routes to, with their Chinese names."""
    return departments_from_yaml(DEFAULT_TAXONOMY_FILE.read_text(encoding="utf-8"))


def load_default_taxonomy(
    uow: UnitOfWork,
    service: TaxonomyService,
    actor: Actor,
    *,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import the shipped default list (default_taxonomy.yaml) in the caller's transaction."""
    rows = read_rows(DEFAULT_TAXONOMY_FILE, FileFormat.yaml)
    return service.import_categories(uow, actor, rows, progress=progress)
