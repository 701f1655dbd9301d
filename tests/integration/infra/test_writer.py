"""The group-commit writer: jobs waiting together share one transaction, each is answered only
after COMMIT, a failing job is undone alone, a failed COMMIT fails the whole batch and stores
nothing, and batched items are handed to their function together."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cityops.app import Platform
from cityops.infra.outbox import UnitOfWork, outbox
from cityops.infra.writer import WriteQueue
from cityops.kernel.errors import ValidationFailed
from cityops.kernel.events import Event


@dataclass(frozen=True, kw_only=True)
class Noted(Event, wire="test.noted"):
    text: str


@pytest.fixture
def writes(platform: Platform) -> Iterator[WriteQueue]:
    queue = WriteQueue(platform.sessions, platform.relay)
    yield queue
    queue.stop()


def _note(platform: Platform, text: str, event_id: str | None = None) -> Noted:
    noted = Noted(occurred_at=platform.clock.now(), text=text)
    if event_id is not None:
        object.__setattr__(noted, "event_id", event_id)
    return noted


def _stored(platform: Platform) -> list[str]:
    with platform.read() as s:
        rows = s.execute(select(outbox.c.payload).order_by(outbox.c.id)).scalars().all()
    return [r["text"] for r in rows]


class Gate:
    """A first job that holds the writer until released, so the next jobs queue up behind it
    and form one batch."""

    def __init__(self, writes: WriteQueue) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.future = writes.submit(self._hold)

    def _hold(self, _uow: UnitOfWork) -> None:
        self.started.set()
        assert self.release.wait(10)

    def __enter__(self) -> Gate:
        assert self.started.wait(10)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        self.future.result(10)


def _emit(platform: Platform, text: str) -> object:
    def work(uow: UnitOfWork) -> str:
        uow.emit(_note(platform, text))
        return text

    return work


def test_jobs_waiting_together_commit_in_one_transaction(
    platform: Platform, writes: WriteQueue
) -> None:
    with Gate(writes):
        futures = [writes.submit(_emit(platform, f"n{i}")) for i in range(5)]
        assert not any(f.done() for f in futures)  # nobody is answered before the commit
    assert [f.result(10) for f in futures] == [f"n{i}" for i in range(5)]
    assert _stored(platform) == [f"n{i}" for i in range(5)]
    assert writes.stats.batches == 2  # the gate alone, then the five together
    assert writes.stats.largest == 5


def test_a_failing_job_is_undone_alone(platform: Platform, writes: WriteQueue) -> None:
    def fails(uow: UnitOfWork) -> None:
        uow.emit(_note(platform, "half-written"))
        raise ValidationFailed("no", code="nope")

    with Gate(writes):
        before = writes.submit(_emit(platform, "before"))
        bad = writes.submit(fails)
        after = writes.submit(_emit(platform, "after"))
    assert before.result(10) == "before"
    assert after.result(10) == "after"
    with pytest.raises(ValidationFailed):
        bad.result(10)
    assert _stored(platform) == ["before", "after"]


def test_a_database_error_fails_only_its_job(platform: Platform, writes: WriteQueue) -> None:
    def duplicate(uow: UnitOfWork) -> None:
        uow.emit(_note(platform, "copy", event_id="same-id"))

    with Gate(writes):
        first = writes.submit(duplicate)
        second = writes.submit(duplicate)  # the unique event_id refuses it
        third = writes.submit(_emit(platform, "third"))
    first.result(10)
    with pytest.raises(IntegrityError):
        second.result(10)
    assert third.result(10) == "third"
    assert _stored(platform) == ["copy", "third"]


def test_a_failed_commit_fails_the_whole_batch(platform: Platform, writes: WriteQueue) -> None:
    def refuse(session: Session) -> None:
        if not session.in_nested_transaction() and session.info.pop("refuse_commit", False):
            raise RuntimeError("disk full")

    event.listen(platform.sessions, "before_commit", refuse)
    try:

        def poisons(uow: UnitOfWork) -> str:
            uow.emit(_note(platform, "poison"))
            uow.session.info["refuse_commit"] = True
            return "poison"

        with Gate(writes):
            futures = [
                writes.submit(_emit(platform, "a")),
                writes.submit(poisons),
                writes.submit(_emit(platform, "b")),
            ]
        for f in futures:
            with pytest.raises(RuntimeError, match="disk full"):
                f.result(10)
    finally:
        event.remove(platform.sessions, "before_commit", refuse)
    assert _stored(platform) == []
    assert writes.stats.failed_commits == 1
    assert writes.call(_emit(platform, "later")) == "later"  # the writer goes on
    assert _stored(platform) == ["later"]


def _many_recorder(platform: Platform, calls: list[int]) -> object:
    def store_many(uow: UnitOfWork, items: Sequence[str]) -> list[str | BaseException]:
        calls.append(len(items))
        out: list[str | BaseException] = []
        for item in items:
            if item.startswith("refuse"):
                out.append(ValidationFailed(f"{item} refused", code="refused"))
                continue
            if item.startswith("explode") and len(items) > 1:
                raise RuntimeError("the whole group goes back")
            uow.emit(_note(platform, item))
            out.append(item.upper())
        return out

    return store_many


def test_batched_items_are_stored_together(platform: Platform, writes: WriteQueue) -> None:
    calls: list[int] = []
    store_many = _many_recorder(platform, calls)
    with Gate(writes):
        futures = [writes.submit_many(store_many, f"i{i}") for i in range(4)]
        refused = writes.submit_many(store_many, "refuse-me")
    assert [f.result(10) for f in futures] == ["I0", "I1", "I2", "I3"]
    with pytest.raises(ValidationFailed, match="refuse-me refused"):
        refused.result(10)
    assert calls == [5]
    assert _stored(platform) == ["i0", "i1", "i2", "i3"]


def test_a_group_that_raises_is_retried_item_by_item(
    platform: Platform, writes: WriteQueue
) -> None:
    calls: list[int] = []
    store_many = _many_recorder(platform, calls)
    with Gate(writes):
        futures = [writes.submit_many(store_many, name) for name in ("x", "explode", "y")]
    assert futures[0].result(10) == "X"
    assert futures[2].result(10) == "Y"
    assert futures[1].result(10) == "EXPLODE"  # alone it is fine: only the group failed
    assert calls == [3, 1, 1, 1]
    assert _stored(platform) == ["x", "explode", "y"]


def test_run_answers_an_event_loop_after_commit(platform: Platform, writes: WriteQueue) -> None:
    async def main() -> list[str]:
        return list(
            await asyncio.gather(*(writes.run(_emit(platform, f"a{i}")) for i in range(10)))
        )

    assert asyncio.run(main()) == [f"a{i}" for i in range(10)]
    with platform.read() as s:
        assert s.execute(select(func.count()).select_from(outbox)).scalar_one() == 10


def test_stop_finishes_what_is_queued(platform: Platform, writes: WriteQueue) -> None:
    futures: list[Future[object]] = []
    with Gate(writes):
        futures = [writes.submit(_emit(platform, f"s{i}")) for i in range(3)]
        stopper = threading.Thread(target=writes.stop)
        stopper.start()
    stopper.join(10)
    assert [f.result(10) for f in futures] == ["s0", "s1", "s2"]
