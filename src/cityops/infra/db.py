"""Database engine, metadata and sessions (SQLAlchemy 2). Tables live in each domain's store.py
and register on the one `metadata` here, so Alembic sees them all."""

from __future__ import annotations

import fcntl
import os
import threading
import weakref
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns aware UTC (SQLite has no time zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class EpochSeconds(TypeDecorator[datetime]):
    """An instant stored as whole seconds since 1970-01-01 UTC (BIGINT on both databases), read
    back as an aware UTC datetime. For time series whose reads do integer arithmetic on the
    instant in SQL (buckets of a trend): SQLite has no date type, and parsing its date text per
    row costs more than the read itself. A bound instant with a fraction of a second is refused
    (it would be stored as another instant); round comparison bounds before binding them."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        seconds, rest = divmod(value - _EPOCH, timedelta(seconds=1))
        if rest:
            raise ValueError(f"{value.isoformat()} is not a whole second")
        return int(seconds)

    def process_result_value(self, value: int | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _EPOCH + timedelta(seconds=int(value))


def make_engine(url: str, *, sqlite_synchronous: str = "NORMAL", **kwargs: Any) -> Engine:
    """An engine for SQLite (WAL, foreign keys, busy timeout, `PRAGMA synchronous` as given:
    NORMAL or FULL) or PostgreSQL; on either, a connection goes back to the pool with none of
    its cursors open (`_track_cursors`)."""
    engine = _make_engine(url, sqlite_synchronous, **kwargs)
    _track_cursors(engine)
    return engine


def _make_engine(url: str, sqlite_synchronous: str = "NORMAL", **kwargs: Any) -> Engine:
    if sqlite_synchronous not in ("NORMAL", "FULL"):
        raise ValueError(f"PRAGMA synchronous must be NORMAL or FULL, not {sqlite_synchronous!r}")
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False, "timeout": 30}
        if path in ("", ":memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        lock = _WriterLock(f"{path}.writer-lock") if path and path != ":memory:" else None
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_synchronous))
        event.listen(engine, "begin", _sqlite_begin(lock))
        if lock is not None:
            # the connection is back in the pool only after its commit or rollback
            event.listen(engine, "checkin", lambda _dbapi, record: lock.release(record.info))
            event.listen(engine, "close", lambda _dbapi, record: lock.forget(record.info))
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _track_cursors(engine: Engine) -> None:
    """Close every cursor a connection opened when it goes back to the pool.

    A request that fails while it reads a result in batches (`yield_per`, an export) leaves
    that result's cursor open for as long as something holds the failed frames: the traceback
    of a logged exception, a reference cycle the garbage collector has not reached yet. The
    rollback on return does not end what that cursor holds:
    - on SQLite an unfinished statement keeps its read snapshot after ROLLBACK, so whoever
      takes the connection next reads the database as it was (a user created since cannot
      sign in) and cannot write (BEGIN IMMEDIATE answers "database is locked");
    - on PostgreSQL the batches come from a server-side cursor, and closing it later, from
      whichever thread drops the last reference, sends CLOSE inside the next user's
      transaction, which fails there (the cursor died with the rollback) and aborts it.
    So the connection keeps a weak set of the cursors it handed out, and the pool's checkin
    closes them, in the thread that returns the connection, before anyone else can have it."""

    def remember(conn: Any, cursor: Any, *_: Any) -> None:
        cursors = conn.info.get("open_cursors")
        if cursors is None:
            cursors = conn.info["open_cursors"] = weakref.WeakSet()
        cursors.add(cursor)

    def close_all(_dbapi: Any, record: Any) -> None:
        for cursor in list(record.info.pop("open_cursors", ())):
            cursor.close()

    event.listen(engine, "before_cursor_execute", remember)
    event.listen(engine, "checkin", close_all)


def _sqlite_pragmas(synchronous: str) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy own transactions; pysqlite's own BEGIN handling is turned off.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    return on_connect


class _WriterLock:
    """Queues SQLite writers on an OS file lock beside the database (flock), across threads and
    processes. A blocked writer sleeps in the kernel and wakes the moment the lock is free;
    without it, SQLite's busy handler polls with growing sleeps (up to 100 ms), which under
    load turns into second-long tail latencies. Each connection opens the lock file itself, so
    two connections of one process exclude each other too."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._held = threading.local()

    def acquire(self, info: dict[Any, Any]) -> None:
        if getattr(self._held, "yes", False):
            # waiting here would wait for ourselves: fail loudly instead of hanging
            raise RuntimeError("a write transaction was opened inside another on the same thread")
        fd = info.get("writer_lock_fd")
        if fd is None:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            info["writer_lock_fd"] = fd
        fcntl.flock(fd, fcntl.LOCK_EX)
        info["writer_lock_held"] = True
        self._held.yes = True

    def release(self, info: dict[Any, Any]) -> None:
        if info.pop("writer_lock_held", False):
            fcntl.flock(info["writer_lock_fd"], fcntl.LOCK_UN)
            self._held.yes = False

    def forget(self, info: dict[Any, Any]) -> None:
        self.release(info)
        fd = info.pop("writer_lock_fd", None)
        if fd is not None:
            os.close(fd)


def _sqlite_begin(lock: _WriterLock | None) -> Any:
    def begin(conn: Any) -> None:
        # Writers take the lock up front (BEGIN IMMEDIATE) so a read-then-write transaction
        # cannot fail on lock upgrade under WAL; readers begin deferred and never block.
        if conn.get_execution_options().get("sqlite_write", False):
            if lock is not None:
                lock.acquire(conn.info)
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return begin


def make_session_factory(engine: Engine, *, write: bool = True) -> sessionmaker[Session]:
    """Sessions for use cases. `write=True` sessions take SQLite's write lock at BEGIN."""
    bind = engine.execution_options(sqlite_write=True) if write else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)
