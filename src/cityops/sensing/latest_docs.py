"""Each device's latest values as one stored JSON text: the read model of the latest-values API.

`sensing_latest` keeps a row per (device, metric); listing the latest values of 10,000 devices
from it means 120,000 rows read and as many values written out as JSON, several times the
200 ms an operation centre's screen may wait. So every time the writer upserts latest values
(`series.upsert_latest`), the same transaction rewrites the JSON text of the devices it touched,
`[{"metric": …, "ts": "2026-11-23T00:59:12.345000Z", "value": …}, …]` by metric, built by the
database (json_group_array on SQLite, json_agg on PostgreSQL). The API then reads one short row
per device and splices the texts into its answer as they are.

On PostgreSQL two ingest workers may touch one device at once, each with a metric the other
cannot see yet. So a writer first makes sure the devices' rows exist, then locks them (in
device order), and only then builds their texts in a new statement, which sees what the other
writer committed while it waited: the last writer's text holds both metrics. SQLite writes one
transaction at a time and needs no lock.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import BindParameter, Connection, bindparam, text

CHUNK = 500  # devices per statement (SQLite's bound-parameter limit and short statements)

# the instant as pydantic writes a UTC datetime (…:12Z, or …:12.345000Z), so this answer and
# the one written value by value for one device agree to the character
_SQLITE_TS = (
    "CASE WHEN ts % 1000 = 0 THEN strftime('%Y-%m-%dT%H:%M:%SZ', ts / 1000, 'unixepoch') "
    "ELSE strftime('%Y-%m-%dT%H:%M:%S', ts / 1000, 'unixepoch') || printf('.%03d000Z', ts % 1000) "
    "END"
)
_POSTGRESQL_TS = (
    "CASE WHEN ts % 1000 = 0 "
    "THEN to_char(to_timestamp(ts / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
    "ELSE to_char(to_timestamp(ts / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') "
    "|| '.' || lpad((ts % 1000)::text, 3, '0') || '000Z' END"
)
_SQLITE_DOC = f"json_group_array(json_object('metric', metric, 'ts', {_SQLITE_TS}, 'value', value))"
_POSTGRESQL_DOC = (
    f"json_agg(json_build_object('metric', metric, 'ts', {_POSTGRESQL_TS}, 'value', value) "
    "ORDER BY metric)::text"
)


def _refresh_sql(dialect: str, where: str) -> str:
    if dialect == "postgresql":
        return (
            "INSERT INTO sensing_latest_docs (device_id, doc) "
            f"SELECT device_id, {_POSTGRESQL_DOC} FROM sensing_latest {where} GROUP BY device_id "
            "ON CONFLICT (device_id) DO UPDATE SET doc = EXCLUDED.doc"
        )
    # rows in key order into the aggregate (SQLite 3.40 has no ORDER BY inside an aggregate)
    return (
        "INSERT INTO sensing_latest_docs (device_id, doc) "
        f"SELECT device_id, {_SQLITE_DOC} FROM (SELECT device_id, metric, ts, value "
        f"FROM sensing_latest {where} ORDER BY device_id, metric) WHERE true GROUP BY device_id "
        "ON CONFLICT (device_id) DO UPDATE SET doc = excluded.doc"
    )


def refresh_all_statement(dialect: str) -> str:
    """Rebuild every device's text (after a bulk load that wrote `sensing_latest` directly)."""
    return _refresh_sql(dialect, "")


def refresh_all(conn: Connection) -> None:
    conn.execute(text(refresh_all_statement(conn.dialect.name)))


def refresh(conn: Connection, device_ids: Iterable[int]) -> None:
    """Rebuild the texts of these devices from their rows in `sensing_latest`, in the caller's
    transaction (right after it upserted them)."""
    ids = sorted(set(device_ids))
    dialect = conn.dialect.name
    chosen: BindParameter[list[int]] = bindparam("ids", expanding=True)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        if dialect == "postgresql":
            conn.execute(
                text(
                    "INSERT INTO sensing_latest_docs (device_id, doc) "
                    "SELECT unnest(CAST(:ids AS bigint[])), '[]' ON CONFLICT DO NOTHING"
                ),
                {"ids": chunk},
            )
            conn.execute(
                text(
                    "SELECT device_id FROM sensing_latest_docs WHERE device_id IN :ids "
                    "ORDER BY device_id FOR UPDATE"
                ).bindparams(chosen),
                {"ids": chunk},
            )
        conn.execute(
            text(_refresh_sql(dialect, "WHERE device_id IN :ids")).bindparams(chosen),
            {"ids": chunk},
        )
