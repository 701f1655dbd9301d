"""Migration 0015 rewrites the outbox rows still pending from the class names they were written
with to the wire names their events declare, so they are delivered whatever the classes are
called later; delivered rows are left as they are."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from cityops.app import Platform
from cityops.infra.migrate import alembic_config, upgrade
from cityops.kernel.events import registered_events

AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
migration = importlib.import_module("cityops.infra.migrations.versions.0015_events_by_wire_name")


def test_the_migrations_table_names_every_event_class_of_its_day() -> None:
    known = registered_events()
    assert {name: known[name].wire_name for name in migration.WIRE_NAMES} == migration.WIRE_NAMES
    assert all(known[name].wire_version == 1 for name in migration.WIRE_NAMES)


def test_pending_rows_are_renamed_to_wire_names(platform: Platform) -> None:
    url = platform.settings.database_url
    with platform.engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0014")
        conn.execute(
            text(
                "INSERT INTO outbox (event_id, name, payload, occurred_at, dispatched_at,"
                " attempts) VALUES ('e1', 'CaseDispatched', '{}', :t, NULL, 0),"
                " ('e2', 'CaseClosed', '{}', :t, :t, 1), ('e3', 'UserCreated', '{}', :t, NULL, 2),"
                " ('e4', 'SomethingElse', '{}', :t, NULL, 0)"
            ),
            {"t": AT.replace(tzinfo=None)},
        )
    upgrade(url, platform.engine)
    with platform.engine.connect() as conn:
        rows = conn.execute(text("SELECT event_id, name, version FROM outbox ORDER BY event_id"))
        stored = [tuple(r) for r in rows]
    assert stored == [
        ("e1", "case.dispatched", 1),
        ("e2", "CaseClosed", 1),  # delivered already: history, not work
        ("e3", "org.user_created", 1),
        ("e4", "SomethingElse", 1),  # not an event of this project: left for its error
    ]
