"""Counting the SQL statements a block runs, to prove that a read's statement count does not grow
with the rows it reads (no query per row). Listens on SQLAlchemy's `before_cursor_execute` of the
app's real engine, so it counts what reaches the database driver, on SQLite and on PostgreSQL
alike. `count` leaves out transaction control (the BEGIN that the engine sends SQLite itself,
and that psycopg sends PostgreSQL unseen), so one read counts the same on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "ROLLBACK"})


@dataclass
class Statements:
    """The statements run inside a `count_statements` block, in order."""

    sql: list[str] = field(default_factory=list)

    @property
    def queries(self) -> list[str]:
        """The statements that are not transaction control."""
        return [s for s in self.sql if s.strip().upper() not in TRANSACTION_CONTROL]

    @property
    def count(self) -> int:
        return len(self.queries)

    def __str__(self) -> str:
        lines = (s.split("\n")[0][:160] for s in self.queries)
        return "\n".join(f"{i:3}. {line}" for i, line in enumerate(lines, start=1))


@contextmanager
def count_statements(engine: Engine) -> Iterator[Statements]:
    """`with count_statements(platform.engine) as ran: …` then `ran.count` (and `str(ran)` lists
    them for an assertion message). Run nothing else on the engine meanwhile (no background
    threads: test apps are built without them)."""
    ran = Statements()

    def record(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _ctx: Any, _many: bool
    ) -> None:
        ran.sql.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield ran
    finally:
        event.remove(engine, "before_cursor_execute", record)
