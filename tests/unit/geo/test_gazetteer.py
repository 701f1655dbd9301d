"""The local gazetteer: which street, community or grid a typed address names."""

from __future__ import annotations

import pytest

from cityops.geo.model import AreaLevel, AreaRef, match_place, place_keys

ST_SQ = AreaRef("330103001", "石桥街道", AreaLevel.street)
ST_DX = AreaRef("330103002", "东新街道", AreaLevel.street)
ST_CM = AreaRef("330103003", "潮鸣街道", AreaLevel.street)
C_SQ = AreaRef("330103001001", "石桥社区", AreaLevel.community)
C_HF = AreaRef("330103001003", "华丰社区", AreaLevel.community)
C_DY_DX = AreaRef("330103002001", "东园社区", AreaLevel.community)
C_DY_CM = AreaRef("330103003001", "东园社区", AreaLevel.community)
G_HF2 = AreaRef("330103001003002", "华丰社区第二网格", AreaLevel.grid)
AREAS = [
    (ST_SQ, "330103"),
    (ST_DX, "330103"),
    (ST_CM, "330103"),
    (C_SQ, ST_SQ.code),
    (C_HF, ST_SQ.code),
    (C_DY_DX, ST_DX.code),
    (C_DY_CM, ST_CM.code),
    (G_HF2, C_HF.code),
]


def test_names_are_also_written_without_their_suffix() -> None:
    assert place_keys("石桥街道") == ("石桥街道", "石桥")
    assert place_keys("华丰社区") == ("华丰社区", "华丰")
    assert place_keys("新社区") == ("新社区",)  # one character would match too much
    assert place_keys("华丰社区第二网格") == ("华丰社区第二网格",)


@pytest.mark.parametrize(
    ("address", "area", "words"),
    [
        # a road named like the street: the street (石桥 also names 石桥社区 inside it)
        ("杭州市下城区石桥路100号", ST_SQ, "石桥"),
        ("石桥街道", ST_SQ, "石桥街道"),
        ("下城区石桥街道华丰社区幸福苑3幢", C_HF, "华丰社区"),  # the more specific
        ("华丰新村12号", C_HF, "华丰"),
        ("华丰社区第二网格边上", G_HF2, "华丰社区第二网格"),  # the longest words
        ("东新街道东园社区", C_DY_DX, "东园社区"),  # a shared name, its street named
        ("潮鸣东园社区门口", C_DY_CM, "东园社区"),
        ("东园社区门口", None, None),  # a shared name alone: which one?
        ("东新路和潮鸣寺巷路口", ST_DX, "东新"),  # two streets: equal words, the first
        ("杭州市下城区", None, None),  # a district is no place to send someone to
        ("文三路100号", None, None),
        ("", None, None),
    ],
)
def test_the_named_place(address: str, area: AreaRef | None, words: str | None) -> None:
    found = match_place(address, AREAS)
    if area is None:
        assert found is None
    else:
        assert found == (area, words)
