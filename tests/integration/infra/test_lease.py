"""Only one process per database holds the background lease; it passes on when released."""

from __future__ import annotations

from cityops.infra.db import make_engine
from cityops.infra.lease import BackgroundLease


def test_one_holder_at_a_time(db_url: str) -> None:
    # two engines stand for two server processes on one database
    first_engine, second_engine = make_engine(db_url), make_engine(db_url)
    first, second = BackgroundLease(first_engine), BackgroundLease(second_engine)
    try:
        assert first.held()
        assert not second.held()
        assert first.held()  # holding it is stable
        first.release()
        assert second.held()
        assert not first.held()
    finally:
        first.release()
        second.release()
        first_engine.dispose()
        second_engine.dispose()
