"""A connection goes back to the pool with none of its cursors open, whatever the request that
used it left behind (infra/db.py `_track_cursors`), on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from cityops.app import Platform

# a thousand rows without a table, in both dialects
COUNTING = text(
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000) SELECT x FROM n"
)


def test_an_unfinished_read_is_closed_when_its_connection_is_returned(
    platform: Platform,
) -> None:
    held: list[Any] = []
    with pytest.raises(RuntimeError), platform.read() as session:
        result = session.execute(COUNTING.execution_options(yield_per=10))
        assert next(iter(result)) == (1,)
        held.append(result.cursor)  # what a failed request's frames keep alive
        raise RuntimeError("the request failed half-way through its rows")
    # SQLite's cursor would still hold its snapshot; PostgreSQL's server-side cursor would be
    # closed later from another thread, inside whichever transaction has the connection then
    with pytest.raises(Exception, match=r"(?i)closed cursor|cursor .*is closed"):
        held[0].fetchone()
