"""Grouping crafted messages: the same issue phrased differently groups; different issues in the
same place do not; messages too far apart in time are not linked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cityops.insight.hotspots.grouping import group_messages
from cityops.insight.hotspots.text import area_codes, places
from cityops.insight.public import HotspotMessage, HotspotSettings

T0 = datetime(2019, 11, 1, 9, 0, tzinfo=UTC)


def msg(mid: str, subject: str, body: str = "", days: float = 0.0) -> HotspotMessage:
    return HotspotMessage(mid, subject, body, T0 + timedelta(days=days))


MIXING_PLANT = [
    msg("m1", "投诉A2区丽发新城附近建搅拌站噪音扰民", "搅拌站每天噪音很大，灰尘污染，无法睡觉"),
    msg("m2", "丽发新城小区旁边的搅拌站严重影响生活", "开发商在小区旁建搅拌站，噪音和扬尘严重", 2),
    msg("m3", "A市暮云街道丽发新城社区搅拌厂危害居民健康", "搅拌厂灰尘噪音污染严重，危害健康", 5),
]
ROAD = [
    msg("r1", "A2区丽发新城小区云塘路还没有铺沥青", "云塘路至今没铺沥青，雨天一身泥", 1),
    msg("r2", "丽发新城云塘路何时铺沥青路面", "云塘路坑坑洼洼，沥青路面迟迟不铺", 3),
]
OTHER = [
    msg("o1", "A7县204路公交车下班高峰期不发车", "每天下午3点后204公交车不发车", 2),
    msg("o2", "咨询A市人才购房补贴事宜", "高级技师职业资格证人员购房补贴如何申请", 4),
]


def _groups(messages: list[HotspotMessage], **settings: float) -> set[frozenset[str]]:
    found = group_messages(messages, HotspotSettings(**settings))  # type: ignore[arg-type]
    return {frozenset(messages[i].message_id for i in g) for g in found}


def test_same_issue_phrased_differently_groups_and_other_issues_in_the_same_place_do_not() -> None:
    groups = _groups(MIXING_PLANT + ROAD + OTHER)
    assert frozenset({"m1", "m2", "m3"}) in groups
    assert frozenset({"r1", "r2"}) in groups
    assert frozenset({"o1"}) in groups
    assert frozenset({"o2"}) in groups


def test_every_message_is_in_exactly_one_group() -> None:
    messages = MIXING_PLANT + ROAD + OTHER
    found = group_messages(messages, HotspotSettings())
    assert sorted(i for g in found for i in g) == list(range(len(messages)))


def test_messages_further_apart_than_the_window_are_not_linked() -> None:
    far = [MIXING_PLANT[0], msg("m9", MIXING_PLANT[1].subject, MIXING_PLANT[1].body, 400)]
    assert _groups(far, window_days=180) == {frozenset({"m1"}), frozenset({"m9"})}
    assert _groups(far, window_days=500) == {frozenset({"m1", "m9"})}


def test_a_higher_similarity_bar_splits_more() -> None:
    loose = _groups(MIXING_PLANT + ROAD + OTHER, similarity=0.25)
    strict = _groups(MIXING_PLANT + ROAD + OTHER, similarity=1.2)
    assert len(strict) == 7
    assert len(loose) < len(strict)


def test_places_and_area_codes_are_read_from_the_text() -> None:
    assert places("反映A7县春华镇金鼎村水泥路、自来水到户的问题") == ("春华镇", "金鼎村")
    assert places("关于伊景园滨河苑捆绑销售车位的投诉") == ("伊景园滨河苑",)
    assert places("A市A5区魅力之城小区临街门面油烟噪音扰民") == ("魅力之城小区",)
    assert places("构专用的消防通道和道路") == ()
    assert area_codes("A市A3区中海国际社区三期") == ("A市", "A3区")


def test_a_linked_part_too_large_for_linkage_is_split_with_a_higher_bar() -> None:
    messages = MIXING_PLANT + ROAD + OTHER
    settings = HotspotSettings()
    whole = group_messages(messages, settings)
    capped = group_messages(messages, settings, max_part=2)
    assert max(len(g) for g in whole) == 3
    assert max(len(g) for g in capped) <= 2
    assert sorted(i for g in capped for i in g) == list(range(len(messages)))
