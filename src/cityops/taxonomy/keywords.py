"""The keywords (关键词) of the shipped responsibility list as default_taxonomy.yaml writes them.
A category's keywords are a stored field of the list (`Category.keywords`): imported and exported
with it and edited like its other fields. The file is only the seed of the default list; the
stored list is what smart routing reads."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from cityops.taxonomy.model import split_keywords
from cityops.taxonomy.transfer import DEFAULT_TAXONOMY_FILE, FileFormat, read_rows

__all__ = ["default_keywords", "split_keywords"]


@lru_cache(maxsize=1)
def default_keywords() -> Mapping[str, tuple[str, ...]]:
    """Category code → its keywords in the shipped list (codes without keywords left out)."""
    rows = read_rows(DEFAULT_TAXONOMY_FILE, FileFormat.yaml)
    found = {str(r.get("code")): split_keywords(r.get("keywords")) for r in rows}
    return {code: words for code, words in found.items() if words}
