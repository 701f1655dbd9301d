"""Types of request parameters shared by the endpoints: what a value must look like before any
code reads it, so that a wrong one is a 422 naming the field."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from annotated_types import Interval
from pydantic import BeforeValidator

# A stored row's id or version: what the databases' 64-bit integers hold. A larger number is a
# 422 that says so (in a path, a query or a body), not a driver's overflow (500).
INT64_MAX = 2**63 - 1
RowId = Annotated[int, Interval(ge=1, le=INT64_MAX)]
# The last page a list serves: its offset must fit the databases' integers too.
MAX_PAGE = 1_000_000

# A day as people write it: 2026-11-30 or 20261130.
DAY_PATTERN = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")


def _day(value: object) -> object:
    """A day from text, read as a calendar day. Pydantic would read digits such as 20261130 as
    seconds since 1970 (a day in August 1970): refused or read as the day they spell instead."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if DAY_PATTERN.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"must be a day such as 2026-11-30, not {value!r}")


Day = Annotated[date, BeforeValidator(_day)]
