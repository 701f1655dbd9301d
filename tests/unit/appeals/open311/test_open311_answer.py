"""A consultation answered on the spot (直接办结) is published to Open311 clients with the
answer as the update's description."""

from __future__ import annotations

from datetime import UTC, datetime

from cityops.appeals.open311.model import update_from_history
from cityops.cases.public import HistoryEntry


def test_the_answer_is_the_updates_description() -> None:
    entry = HistoryEntry(
        id=2,
        seq=2,
        action="answer",
        from_status="reported",
        to_status="closed",
        actor_user_id=1,
        actor_name="王受理",
        actor_role="operator",
        at=datetime(2026, 11, 23, 1, 5, tzinfo=UTC),
        note="",
        data={"answer": "请携带身份证到服务网点办理。", "article_code": "KB001"},
    )
    update = update_from_history("C20261123000001", entry)
    assert update is not None
    assert update.description == "直接办结：请携带身份证到服务网点办理。"
    assert update.status == "closed"
