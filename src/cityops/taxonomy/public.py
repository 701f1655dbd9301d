"""What other parts of cityops may use of the responsibility list: the service, the category
record and its vocabulary, and the file formats of import/export."""

from __future__ import annotations

from cityops.taxonomy.keywords import default_keywords, split_keywords
from cityops.taxonomy.model import (
    Category,
    CategoryKind,
    ResponsibleKind,
    TaxonomyFormatError,
    Urgency,
    category_from_row,
)
from cityops.taxonomy.policy import can_manage_taxonomy, check_manage_taxonomy
from cityops.taxonomy.service import ImportResult, TaxonomyService
from cityops.taxonomy.store import CategoryRevision
from cityops.taxonomy.transfer import (
    FileFormat,
    default_departments,
    load_default_taxonomy,
    parse_rows,
    read_rows,
    render,
)

__all__ = [
    "Category",
    "CategoryKind",
    "CategoryRevision",
    "FileFormat",
    "ImportResult",
    "ResponsibleKind",
    "TaxonomyFormatError",
    "TaxonomyService",
    "Urgency",
    "can_manage_taxonomy",
    "category_from_row",
    "check_manage_taxonomy",
    "default_departments",
    "default_keywords",
    "load_default_taxonomy",
    "parse_rows",
    "read_rows",
    "render",
    "split_keywords",
]
