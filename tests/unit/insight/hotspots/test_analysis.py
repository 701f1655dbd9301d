"""The whole analysis on crafted messages: ranking, title, span, place, votes, representatives,
members and the emerging flag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cityops.insight.hotspots.analysis import title_of
from cityops.insight.public import HotspotMessage, find_hotspots

NOW = datetime(2019, 12, 1, 12, 0, tzinfo=UTC)


def msg(mid: str, subject: str, body: str, days_ago: float, up: int = 0) -> HotspotMessage:
    return HotspotMessage(mid, subject, body, NOW - timedelta(days=days_ago), votes_up=up)


MESSAGES = [
    msg("a1", "投诉A2区丽发新城附近建搅拌站噪音扰民", "搅拌站噪音很大，灰尘污染", 1, up=3),
    msg("a2", "丽发新城小区旁边的搅拌站严重影响生活", "小区旁建搅拌站，噪音扬尘严重", 2, up=1),
    msg("a3", "A2区丽发新城搅拌站噪音扰民", "搅拌站日夜噪音，扬尘污染严重", 3),
    msg("a4", "丽发新城附近搅拌站灰尘噪音污染", "搅拌站扬尘噪音，居民无法休息", 4),
    msg("b1", "A7县204路公交车下班高峰期不发车", "下午3点后204公交车不发车", 60),
    msg("b2", "A7县204路公交车高峰期间隔太长", "204公交车高峰期等不到车", 55, up=2),
    msg("c1", "咨询A市人才购房补贴事宜", "高级技师购房补贴如何申请", 30),
]


def test_issues_are_ranked_by_heat_with_their_facts() -> None:
    report = find_hotspots(MESSAGES, now=NOW)
    assert report.messages == 7
    assert report.groups == 3
    first = report.issues[0]
    assert [i.rank for i in report.issues] == [1, 2, 3]
    assert [i.heat for i in report.issues] == sorted((i.heat for i in report.issues), reverse=True)
    assert set(first.member_ids) == {"a1", "a2", "a3", "a4"}
    assert first.count == 4
    assert first.votes == 4
    assert first.place == "丽发新城"
    assert first.first_at == NOW - timedelta(days=4)
    assert first.last_at == NOW - timedelta(days=1)
    assert first.representatives[0].message_id in first.member_ids
    assert first.title in {title_of(m.subject) for m in MESSAGES[:4]}
    assert first.emerging
    assert first.first_flagged_at == NOW - timedelta(days=2)
    bus = report.issues[1]
    assert set(bus.member_ids) == {"b1", "b2"}
    assert not bus.emerging
    assert bus.growth == 0.0


def test_top_and_min_count() -> None:
    assert len(find_hotspots(MESSAGES, now=NOW, top=1).issues) == 1
    assert {i.count for i in find_hotspots(MESSAGES, now=NOW, min_count=2).issues} == {4, 2}


def test_now_defaults_to_the_latest_message() -> None:
    assert find_hotspots(MESSAGES).now == NOW - timedelta(days=1)


def test_no_messages_no_issues() -> None:
    assert find_hotspots([], now=NOW).issues == ()


def test_title_drops_the_leading_verb_and_is_cut() -> None:
    assert title_of("关于伊景园滨河苑捆绑销售车位的投诉") == "伊景园滨河苑捆绑销售车位的投诉"
    assert title_of("反映" + "很" * 60).endswith("…")
    assert len(title_of("很" * 60)) == 40
