"""Reading knowledge articles from YAML or CSV files (the CLI import and the shipped default).

YAML (see default_articles.yaml): `articles` is a list of items with code, title, keywords (a list
or one string), answer, category_code, department_code, department_name and active.
CSV: one article per line with the columns of CSV_COLUMNS; keywords separated by | ; , or 、."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

from cityops.kernel.errors import ValidationFailed

DEFAULT_ARTICLES_FILE = Path(__file__).with_name("default_articles.yaml")
CSV_COLUMNS = (
    "code",
    "title",
    "keywords",
    "answer",
    "category_code",
    "department_code",
    "department_name",
    "active",
)


def parse_rows(text: str, suffix: str) -> list[dict[str, Any]]:
    """The rows of a file's text; `suffix` is .csv, .yaml or .yml."""
    suffix = suffix.lower()
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        missing = {"code", "title", "answer"} - set(reader.fieldnames or ())
        if missing:
            raise ValidationFailed(
                f"the CSV header lacks {', '.join(sorted(missing))}; the columns are "
                f"{', '.join(CSV_COLUMNS)}",
                code="invalid_import",
            )
        return [dict(row) for row in reader]
    if suffix in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValidationFailed(
                f"the YAML cannot be read: {exc}", code="invalid_import"
            ) from exc
        items = data.get("articles") if isinstance(data, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValidationFailed(
                "the YAML must hold `articles:`, a list of articles", code="invalid_import"
            )
        return [dict(i) for i in items]
    raise ValidationFailed(
        f"cannot tell the format of a {suffix or 'nameless'} file: use .csv, .yaml or .yml",
        code="unknown_format",
    )


def read_rows(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"{path.name} is not UTF-8 text", code="unreadable_file") from exc
    return parse_rows(text, path.suffix)
