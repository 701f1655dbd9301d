"""GapHold: the tail hands rows on in id order; a row after a missing id waits for it, and a
gap that stays open past the hold counts as a rolled-back transaction."""

from __future__ import annotations

from cityops.infra.outbox_tail import GapHold, OutboxEntry


def _rows(*ids: int) -> list[OutboxEntry]:
    return [OutboxEntry(i, "case.reported", {}) for i in ids]


def test_contiguous_rows_pass_at_once() -> None:
    hold = GapHold(10, hold_seconds=1.0)
    assert [r.id for r in hold.take(_rows(11, 12, 13), now=0.0)] == [11, 12, 13]
    assert hold.cursor == 13
    assert not hold.waiting


def test_a_row_after_a_missing_id_waits_until_the_id_commits() -> None:
    hold = GapHold(10, hold_seconds=1.0)
    assert [r.id for r in hold.take(_rows(11, 13), now=0.0)] == [11]
    assert hold.waiting
    assert hold.take(_rows(13), now=0.5) == []
    assert [r.id for r in hold.take(_rows(12, 13), now=0.6)] == [12, 13]
    assert not hold.waiting


def test_a_gap_open_past_the_hold_is_skipped() -> None:
    hold = GapHold(10, hold_seconds=1.0)
    assert hold.take(_rows(12, 13), now=5.0) == []
    assert [r.id for r in hold.take(_rows(12, 13), now=6.0)] == [12, 13]
    assert hold.take(_rows(11), now=6.1) == []  # late: not sent live (a resume reads it)
    assert hold.cursor == 13
