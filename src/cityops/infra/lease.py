"""One process per database runs the background work (outbox relay, scheduled jobs).

With several server workers on one database, each would otherwise relay the same events and run
the same jobs. The lease is an OS file lock beside a SQLite file, or a session-level advisory lock
on PostgreSQL; the kernel or the server drops it when the holder dies, and another process takes
over at its next try."""

from __future__ import annotations

import fcntl
import os
import threading
from typing import Any

from sqlalchemy import Engine, text

ADVISORY_KEY = 0x63697479  # "city"


class BackgroundLease:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._held = False
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._conn: Any = None

    def held(self) -> bool:
        """True if this process holds the lease (trying to take it when it does not)."""
        if self._held:
            return True
        with self._lock:
            if not self._held:
                self._held = self._try()
            return self._held

    def _try(self) -> bool:
        url = self._engine.url
        if url.get_backend_name() == "sqlite":
            path = url.database or ""
            if not path or path == ":memory:":
                return True
            fd = os.open(f"{path}.background-lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            self._fd = fd
            return True
        conn = self._engine.connect()
        got = bool(
            conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
        )
        conn.commit()
        if got:
            self._conn = conn  # the lock lives as long as this connection
        else:
            conn.close()
        return got

    def release(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            if self._conn is not None:
                try:
                    self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                    self._conn.commit()
                finally:
                    self._conn.close()
                    self._conn = None
            self._held = False
