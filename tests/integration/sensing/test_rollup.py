"""Rollups on SQLite and PostgreSQL equal an independent computation over the raw points: a
backfill over a range crossing a Beijing midnight, the scheduled runs with their slack and
lateness window (late data is in the next run's rollups or the next full run's, data later than
the window only after a backfill), and `last` as the value at the newest instant whatever the
order of arrival."""

from __future__ import annotations

import random
from datetime import timedelta

from cityops.app import Platform
from cityops.sensing.public import PointRow
from cityops.sensing.rollup import read_watermark

from .conftest import register
from .storage_support import expected_rollups, now_ms, rounded, stored_rollups, write

MIN = 60_000
HOUR = 3_600_000


def _points(ids: list[int], start: int, end: int, seed: int, count: int) -> list[PointRow]:
    rng = random.Random(seed)
    metrics = ["pm25", "no2"]
    out = {}
    for _ in range(count):
        key = (rng.choice(ids), rng.choice(metrics), rng.randrange(start, end))
        out[key] = PointRow(*key, round(rng.uniform(0, 200), 1))
    return list(out.values())


def test_a_backfill_equals_the_raw_points_at_every_level(sensing_platform: Platform) -> None:
    p = sensing_platform
    ids = [register(p, f"AQ-R{i}").device.id for i in range(3)]
    now = now_ms(p)  # 09:00 Beijing: the range below crosses midnight
    points = _points(ids, now - 12 * HOUR, now, seed=1, count=3000)
    write(p, points)
    done = p.sensing.rollup.roll(now - 12 * HOUR, now)
    assert done.complete
    assert stored_rollups(p) == rounded(expected_rollups(points))
    periods = {key[2] for key in stored_rollups(p)}
    assert periods == {"1m", "1h", "1d"}
    days = {key[3] for key in stored_rollups(p) if key[2] == "1d"}
    assert len(days) == 2  # the 22nd and the 23rd, Beijing time
    # running it again changes nothing
    p.sensing.rollup.roll(now - 12 * HOUR, now)
    assert stored_rollups(p) == rounded(expected_rollups(points))


def test_late_data_is_rolled_up_by_the_next_run_or_the_next_full_one(
    sensing_platform: Platform,
) -> None:
    p = sensing_platform
    ids = [register(p, f"AQ-L{i}").device.id for i in range(2)]
    now = now_ms(p)
    first = _points(ids, now - 90 * MIN, now, seed=2, count=500)
    write(p, first)
    p.sensing.rollup.run()  # the first run of the process goes back the lateness window
    assert read_watermark_of(p) == now
    assert stored_rollups(p) == rounded(expected_rollups(first))

    p.clock.advance(timedelta(minutes=10))
    now = now_ms(p)
    # late by up to 5 minutes past the watermark: a new newest point of a known minute
    # (changes `last`), an older point of that minute (changes nothing of `last`), new minutes
    known = max(first, key=lambda q: q.ts)
    minute = known.ts - known.ts % MIN
    recent = [
        PointRow(known.device_id, known.metric, minute + MIN - 1, 999.0),
        PointRow(known.device_id, known.metric, minute, -5.0),
        *_points(ids, now - 10 * MIN, now, seed=3, count=50),
    ]
    older = [PointRow(ids[0], "pm25", now - 100 * MIN + 123, 42.0)]  # late by 100 minutes
    too_late = [PointRow(ids[1], "no2", now - 5 * HOUR, 7.0)]
    write(p, recent + older + too_late)
    p.sensing.rollup.run()  # 10 minutes after the full run: the watermark less 5 minutes
    assert stored_rollups(p) == rounded(expected_rollups(first + recent))
    key = (known.device_id, known.metric, "1m", minute)
    assert stored_rollups(p)[key][4:] == (999.0, minute + MIN - 1)

    p.clock.advance(timedelta(minutes=6))  # 16 minutes after it: the lateness window again
    p.sensing.rollup.run()
    assert stored_rollups(p) == rounded(expected_rollups(first + recent + older))

    # data later than the lateness window: only a backfill from its instant rolls it up
    p.sensing.rollup.roll(now - 6 * HOUR, now_ms(p))
    assert stored_rollups(p) == rounded(expected_rollups(first + recent + older + too_late))


def test_a_run_after_a_pause_rolls_up_everything_since_the_watermark(
    sensing_platform: Platform,
) -> None:
    p = sensing_platform
    device = register(p, "AQ-P").device.id
    p.sensing.rollup.run()  # the watermark: now
    start = now_ms(p)
    p.clock.advance(timedelta(hours=7))  # the job did not run for 7 hours
    points = _points([device], start, now_ms(p), seed=4, count=800)
    write(p, points)
    p.sensing.rollup.run()
    assert stored_rollups(p) == rounded(expected_rollups(points))


def test_a_run_stopped_by_its_budget_goes_on_from_its_watermark(
    sensing_platform: Platform,
) -> None:
    p = sensing_platform
    device = register(p, "AQ-B").device.id
    p.sensing.rollup.run()
    start = now_ms(p)
    p.clock.advance(timedelta(hours=5))
    points = _points([device], start, now_ms(p), seed=5, count=400)
    write(p, points)
    job = p.sensing.rollup
    job.budget_seconds = 0.0  # one window per run
    first = job.run()
    assert not first.complete
    assert first.windows == 1
    assert read_watermark_of(p) == first.end
    runs = 1
    while not job.run().complete:
        runs += 1
    # 5 hours behind: the windows before the lateness window stop a run each (two of them),
    # the third run catches up and does the lateness window whole
    assert runs == 2
    assert stored_rollups(p) == rounded(expected_rollups(points))


def read_watermark_of(p: Platform) -> int | None:
    with p.engine.connect() as conn:
        return read_watermark(conn)
