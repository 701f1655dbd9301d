"""The stored latest-values texts (sensing/latest_docs.py) on SQLite and PostgreSQL: the answer
for many devices, spliced from them, is the answer written value by value, to the character;
they follow every upsert, a late older value included; two writers touching one device at once
on PostgreSQL leave both metrics in its text; migration 0031 fills them from the rows stored."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from pydantic_core import to_json
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests.conftest import PG_ADMIN_URL
from tests.support.role_header import acting_by_role_header

from cityops.app import Platform
from cityops.infra.migrate import alembic_config
from cityops.sensing import latest_docs, series
from cityops.sensing.public import PointRow
from cityops.web.api.sensing import _ms_to_datetime

from .conftest import register
from .storage_support import now_ms, write

OPERATOR = {"X-Test-Role": "operator"}


@pytest.fixture
def http(sensing_platform: Platform) -> Iterator[TestClient]:
    with acting_by_role_header(sensing_platform) as client:
        yield client


def _values_one_by_one(http: TestClient, code: str) -> list[dict[str, object]]:
    """A device's values as the per-device answer writes them (pydantic, value by value)."""
    one = http.get("/api/v1/sensing/latest", params={"device": code}, headers=OPERATOR)
    assert one.status_code == 200, one.text
    values: list[dict[str, object]] = one.json()["devices"][0]["values"]
    return values


def test_the_spliced_answer_is_the_one_written_value_by_value(
    sensing_platform: Platform, http: TestClient
) -> None:
    p = sensing_platform
    a = register(p, "AQ-1").device
    b = register(p, "AQ-2").device
    register(p, "AQ-3")  # never reported: "[]"
    now = now_ms(p)
    write(
        p,
        [
            PointRow(a.id, "pm25", now - 1_000, 35.5),  # whole seconds: …:12Z
            PointRow(a.id, "pm10", now - 1_234, 1.0),  # milliseconds: …:10.766000Z
            PointRow(a.id, "co", now - 7, 1e-3),
            PointRow(b.id, "pm25", now - 60_000, 1234567.25),
        ],
    )
    answer = http.get("/api/v1/sensing/latest", params={"type": "air_quality"}, headers=OPERATOR)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert body["total"] == 3
    assert [d["code"] for d in body["devices"]] == ["AQ-1", "AQ-2", "AQ-3"]
    for device in body["devices"]:
        assert device["values"] == _values_one_by_one(http, device["code"])
    assert [v["metric"] for v in body["devices"][0]["values"]] == ["co", "pm10", "pm25"]
    stamps = {v["metric"]: v["ts"] for v in body["devices"][0]["values"]}
    assert stamps["pm25"] == to_json(_ms_to_datetime(now - 1_000)).decode().strip('"')
    assert stamps["pm10"] == to_json(_ms_to_datetime(now - 1_234)).decode().strip('"')
    assert body["devices"][2]["values"] == []
    pm25 = next(s for s in body["summary"] if s["metric"] == "pm25")
    assert (pm25["devices"], pm25["min"], pm25["max"]) == (2, 35.5, 1234567.25)
    assert pm25["avg"] == pytest.approx((35.5 + 1234567.25) / 2)


def test_the_texts_follow_each_upsert_and_keep_the_newer_value(
    sensing_platform: Platform, http: TestClient
) -> None:
    p = sensing_platform
    a = register(p, "AQ-1").device
    now = now_ms(p)
    write(p, [PointRow(a.id, "pm25", now - 5_000, 10.0)])
    write(p, [PointRow(a.id, "pm25", now - 1_000, 20.0), PointRow(a.id, "o3", now, 3.0)])
    write(p, [PointRow(a.id, "pm25", now - 9_000, 99.0)])  # late and older: not the latest
    listed = http.get("/api/v1/sensing/latest", params={"type": "air_quality"}, headers=OPERATOR)
    values = {v["metric"]: v["value"] for v in listed.json()["devices"][0]["values"]}
    assert values == {"o3": 3.0, "pm25": 20.0}


@pytest.mark.postgres
def test_two_writers_on_one_device_leave_both_metrics(sensing_platform: Platform) -> None:
    p = sensing_platform
    if p.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    device = register(p, "AQ-1").device
    now = now_ms(p)
    first_upserted = threading.Event()
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            first_upserted.wait(10)
            with p.engine.begin() as conn:  # waits for the first writer's lock on the text
                series.upsert_latest(conn, [PointRow(device.id, "o3", now, 2.0)])
        except BaseException as exc:
            errors.append(exc)

    other = threading.Thread(target=second_writer)
    other.start()
    with p.engine.begin() as conn:
        series.upsert_latest(conn, [PointRow(device.id, "pm25", now, 1.0)])
        first_upserted.set()
        other.join(0.5)  # the second writer is now waiting on the lock
        assert other.is_alive()
    other.join(10)
    assert not errors
    with p.engine.connect() as conn:
        doc = conn.execute(
            text("SELECT doc FROM sensing_latest_docs WHERE device_id = :d"), {"d": device.id}
        ).scalar_one()
    assert [v["metric"] for v in json.loads(doc)] == ["o3", "pm25"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database no migration has run on yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"cityops_m_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migration_0031_fills_the_texts_from_the_stored_rows(empty_db: str) -> None:
    config = alembic_config(empty_db)
    command.upgrade(config, "0030")
    engine = create_engine(empty_db)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO sensing_latest (device_id, metric, ts, value) VALUES "
                    "(7, 'pm25', 1763859552000, 35.0), (7, 'co', 1763859552345, 0.5), "
                    "(8, 'level', 1763859500000, 1.0)"
                )
            )
        command.upgrade(config, "0031")
        with engine.connect() as conn:
            docs = dict(conn.execute(text("SELECT device_id, doc FROM sensing_latest_docs")).all())
        assert json.loads(docs[7]) == [
            {"metric": "co", "ts": "2025-11-23T00:59:12.345000Z", "value": 0.5},
            {"metric": "pm25", "ts": "2025-11-23T00:59:12Z", "value": 35.0},
        ]
        assert json.loads(docs[8]) == [
            {"metric": "level", "ts": "2025-11-23T00:58:20Z", "value": 1.0}
        ]
        with engine.begin() as conn:  # and the writer's statements run on the migrated table
            latest_docs.refresh(conn, [7, 8])
        command.downgrade(config, "0030")
        command.upgrade(config, "head")
    finally:
        engine.dispose()
