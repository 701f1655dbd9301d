"""Migration 0014 rewrites phones stored before intake normalised them (reporters' phones and
SMS recipients), so a lookup in the canonical form finds them; canonical ones stay as they are."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from tests.support.case_city import City

from cityops.app import Platform
from cityops.infra.migrate import alembic_config, upgrade


def test_phones_stored_before_are_rewritten_in_the_canonical_form(
    city: City, platform: Platform
) -> None:
    ids = [city.create(reporter_phone="13812345678")["id"] for _ in range(4)]
    stored_before = {
        ids[0]: "138-1234-5678",
        ids[1]: "0571-87654321",
        ids[2]: "１３８ １２３４ ５６７８",
        ids[3]: "13812345678",  # already canonical
    }
    url = platform.settings.database_url
    with platform.engine.begin() as conn:
        for case_id, phone in stored_before.items():
            conn.execute(
                text("UPDATE cases SET reporter_phone = :p WHERE id = :i"),
                {"p": phone, "i": case_id},
            )
        conn.execute(
            text(
                "INSERT INTO notification_recipients (case_id, channel, address, created_at)"
                " VALUES (:a, 'sms', '13812345678', :t), (:a, 'sms', '138-1234-5678', :t),"
                " (:b, 'sms', '139 0000 1111', :t), (:b, 'email', 'a-b@x.cn', :t)"
            ),
            {"a": ids[3], "b": ids[1], "t": "2026-11-23 01:00:00"},
        )
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0013")
    upgrade(url, platform.engine)
    with platform.engine.connect() as conn:
        phones = dict(
            conn.execute(
                text("SELECT id, reporter_phone FROM cases WHERE id IN (:a, :b, :c, :d)"),
                dict(zip("abcd", ids, strict=True)),
            ).all()
        )
        recipients = sorted(
            (r.case_id, r.channel, r.address)
            for r in conn.execute(
                text(
                    "SELECT case_id, channel, address FROM notification_recipients"
                    " WHERE case_id IN (:a, :b)"
                ),
                {"a": ids[3], "b": ids[1]},
            )
        )
    assert phones == {
        ids[0]: "13812345678",
        ids[1]: "057187654321",
        ids[2]: "13812345678",
        ids[3]: "13812345678",
    }
    # the dashed copy of a recipient the case already had in the canonical form is dropped
    assert (ids[3], "sms", "13812345678") in recipients
    assert (ids[3], "sms", "138-1234-5678") not in recipients
    assert (ids[1], "sms", "13900001111") in recipients
    assert (ids[1], "email", "a-b@x.cn") in recipients  # e-mail addresses untouched
    assert len(recipients) == 3
    # and the hotline finds the caller by the number in the form it asks in today
    r = city.client.get("/api/v1/hotline/callers/0571 8765 4321/appeals", headers=city.auth("op"))
    assert r.status_code == 200, r.text
    assert [c["case_id"] for c in r.json()] == [ids[1]]
