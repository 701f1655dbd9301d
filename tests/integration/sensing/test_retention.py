"""Retention per device type on SQLite and PostgreSQL: raw points and rollups older than the
type keeps are deleted and nothing else; on PostgreSQL the day partitions before the longest
raw retention are dropped whole."""

from __future__ import annotations

from sqlalchemy import text

from cityops.app import Platform
from cityops.sensing.partitions import day_of
from cityops.sensing.public import PointRow
from cityops.sensing.rollup import read_watermark, write_watermark

from .conftest import register
from .storage_support import now_ms, write

DAY = 86_400_000
RAW_AGES = (1.0, 29.5, 30.5, 89.0, 91.0, 100.0)  # days
ROLLUP_AGES = (100.0, 729.0, 731.0, 1824.0, 1826.0)


def _ages(p: Platform, table: str, column: str, device_id: int) -> list[float]:
    now = now_ms(p)
    with p.engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT {column} FROM {table} WHERE device_id = :d"), {"d": device_id}
        ).scalars()
        return sorted(round((now - int(v)) / DAY, 1) for v in rows)


def test_each_type_keeps_its_days_and_nothing_else_goes(sensing_platform: Platform) -> None:
    p = sensing_platform
    air = register(p, "AQ-KEEP").device.id  # raw 90 days, rollups 1825
    manhole = register(p, "MH-KEEP", "manhole_level").device.id  # raw 30 days, rollups 730
    now = now_ms(p)
    write(
        p,
        [
            PointRow(device, metric, now - int(age * DAY), age)
            for device, metric in ((air, "pm25"), (manhole, "level"))
            for age in RAW_AGES
        ],
    )
    with p.engine.begin() as conn:
        for device in (air, manhole):
            for age in ROLLUP_AGES:
                conn.execute(
                    text(
                        'INSERT INTO sensing_rollups (device_id, metric, period, bucket, "min", '
                        '"max", "sum", "count", "last", last_ts) VALUES (:d, \'x\', \'1d\', :b, '
                        "1, 1, 1, 1, 1, :b)"
                    ),
                    {"d": device, "b": now - int(age * DAY)},
                )
        write_watermark(conn, now - 2000 * DAY)  # the job's own row is never deleted
    before = p.sensing.writer.partitions.existing()

    done = p.sensing.retention.run()

    assert _ages(p, "sensing_points", "ts", air) == [1.0, 29.5, 30.5, 89.0]
    assert _ages(p, "sensing_points", "ts", manhole) == [1.0, 29.5]
    assert _ages(p, "sensing_rollups", "bucket", air) == [100.0, 729.0, 731.0, 1824.0]
    assert _ages(p, "sensing_rollups", "bucket", manhole) == [100.0, 729.0]
    with p.engine.connect() as conn:
        assert read_watermark(conn) == now - 2000 * DAY
    assert done.rollups_deleted == 4
    if p.sensing.writer.partitions.enabled:  # PostgreSQL: whole days dropped, rows deleted inside
        cut = day_of(now - 90 * DAY)
        assert done.partitions_dropped == [d for d in before if d < cut]
        assert {day_of(now - 91 * DAY), day_of(now - 100 * DAY)} <= set(done.partitions_dropped)
        assert min(p.sensing.writer.partitions.existing()) == day_of(now - 89 * DAY)
        assert done.points_deleted == 2  # the manhole's 30.5 and 89 days, by rows
    else:
        assert done.partitions_dropped == []
        assert done.points_deleted == 6

    again = p.sensing.retention.run()  # nothing more to do
    assert (again.points_deleted, again.rollups_deleted, again.partitions_dropped) == (0, 0, [])
