"""The keywords (关键词) of the shipped responsibility list: words that name an item in an appeal's
text, kept with the item in default_taxonomy.yaml. Smart routing reads them, with each item's name
and filing condition, to find the leaf category an appeal belongs to.

They are read from the file, by category code, and are not (yet) a stored field of a category: a
list imported from elsewhere keeps the default list's keywords for the codes the two share."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from cityops.taxonomy.transfer import DEFAULT_TAXONOMY_FILE, FileFormat, read_rows

_SPLIT = re.compile(r"[、，,；;\s]+")


def split_keywords(value: object) -> tuple[str, ...]:
    """Keywords as written in the list: a YAML list, or one string separated by 、 , ; or
    spaces; blanks and repeats dropped, order kept."""
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        for word in _SPLIT.split(str(item)):
            word = word.strip()
            if word and word not in out:
                out.append(word)
    return tuple(out)


@lru_cache(maxsize=1)
def default_keywords() -> Mapping[str, tuple[str, ...]]:
    """Category code → its keywords in the shipped list (codes without keywords left out)."""
    rows = read_rows(DEFAULT_TAXONOMY_FILE, FileFormat.yaml)
    found = {str(r.get("code")): split_keywords(r.get("keywords")) for r in rows}
    return {code: words for code, words in found.items() if words}
