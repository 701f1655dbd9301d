"""The scheduler runs each job on a thread of its own: a hung job never delays another, a job is
never run twice at once, a failure is logged and retried at the next interval."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from cityops.infra import scheduler as scheduler_module
from cityops.infra.scheduler import Scheduler


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.fixture
def scheduler() -> Iterator[Scheduler]:
    s = Scheduler()
    yield s
    s.stop()


def test_a_hung_job_does_not_delay_another(scheduler: Scheduler) -> None:
    release = threading.Event()
    ticks: list[float] = []
    scheduler.add("hangs", 0.01, release.wait)
    scheduler.add("ticks", 0.05, lambda: ticks.append(time.monotonic()))
    try:
        scheduler.start()
        assert wait_until(lambda: len(ticks) >= 6, seconds=3.0)
        hung = {s.name: s for s in scheduler.status()}["hangs"]
        assert hung.running
        assert hung.runs == 0
        gaps = [b - a for a, b in itertools.pairwise(ticks)]
        assert max(gaps) < 1.0  # on time, give or take a busy machine
    finally:
        release.set()


def test_a_job_is_never_run_twice_at_once(scheduler: Scheduler) -> None:
    running = 0
    most = 0
    lock = threading.Lock()

    def slow() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    scheduler.add("slow", 0.0, slow)
    scheduler.start()
    for _ in range(5):
        scheduler.run_all_once()  # the caller's runs wait for the thread's
    assert wait_until(lambda: {s.name: s for s in scheduler.status()}["slow"].runs >= 3)
    assert most == 1


def test_a_failing_job_is_logged_and_runs_again(
    scheduler: Scheduler, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[int] = []

    def fails() -> None:
        calls.append(1)
        raise RuntimeError("receiver unreachable")

    scheduler.add("fails", 0.02, fails)
    with caplog.at_level(logging.ERROR, logger="cityops.infra.scheduler"):
        scheduler.start()
        assert wait_until(lambda: len(calls) >= 3)
    [status] = scheduler.status()
    assert status.failures >= 3
    assert "scheduled job fails failed" in caplog.text
    assert "receiver unreachable" in caplog.text


def test_a_run_over_its_budget_is_logged(
    scheduler: Scheduler, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler.add("slow", 60.0, lambda: time.sleep(0.05), budget=0.01)
    scheduler.add("quick", 60.0, lambda: None, budget=1.0)
    with caplog.at_level(logging.WARNING, logger="cityops.infra.scheduler"):
        scheduler.start()
        assert wait_until(lambda: all(s.runs == 1 for s in scheduler.status()))
    assert "scheduled job slow ran" in caplog.text
    assert "over its budget of 0.0 s" in caplog.text
    assert "job quick" not in caplog.text


def test_jobs_wait_while_another_process_holds_the_lease(
    scheduler: Scheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler_module, "LEASE_RETRY_SECONDS", 0.01)
    held = threading.Event()
    asked = threading.Event()
    runs: list[int] = []

    def may_run() -> bool:
        asked.set()
        return held.is_set()

    scheduler.add("work", 0.01, lambda: runs.append(1))
    scheduler.start(may_run=may_run)
    assert asked.wait(5.0)
    time.sleep(0.1)
    assert runs == []
    held.set()
    assert wait_until(lambda: len(runs) >= 2)


def test_run_all_once_runs_every_job_in_order_on_this_thread(scheduler: Scheduler) -> None:
    seen: list[tuple[str, str]] = []
    scheduler.add("first", 60.0, lambda: seen.append(("first", threading.current_thread().name)))
    scheduler.add("second", 60.0, lambda: seen.append(("second", threading.current_thread().name)))
    scheduler.run_all_once()
    here = threading.current_thread().name
    assert seen == [("first", here), ("second", here)]
    assert scheduler.jobs == ["first", "second"]


def test_stop_ends_the_threads_and_nothing_runs_after(scheduler: Scheduler) -> None:
    runs: list[int] = []
    scheduler.add("work", 0.01, lambda: runs.append(1))
    scheduler.start()
    assert wait_until(lambda: len(runs) >= 1)
    scheduler.stop()
    after = len(runs)
    time.sleep(0.05)
    assert len(runs) == after
    assert not any(t.name == "job-work" for t in threading.enumerate())


def test_a_job_name_is_scheduled_once(scheduler: Scheduler) -> None:
    scheduler.add("sla-scan", 60.0, lambda: None)
    with pytest.raises(ValueError, match="sla-scan"):
        scheduler.add("sla-scan", 60.0, lambda: None)
