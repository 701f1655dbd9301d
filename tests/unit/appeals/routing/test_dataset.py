from __future__ import annotations

from pathlib import Path

import pytest

from cityops.appeals.routing.dataset import (
    LabelledSet,
    duplicate_groups,
    overlap,
    read_labelled,
)

CSV = (
    "留言编号,留言主题,留言时间,留言详情,一级标签\n"
    "1,学校乱收学费,2017/2/22 12:59:22,,教育文体\n"
    '2,公交站台损坏,2019-01-08 14:06:00,"站台的顶棚坏了，下雨没法等车",交通运输\n'
    "3,,2019-01-08 14:06:00,,交通运输\n"
    "4,没有标签的留言,2019-01-08 14:06:00,内容,\n"
)


def test_read_labelled_joins_columns_and_skips_empty_rows(tmp_path: Path) -> None:
    path = tmp_path / "appeals.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    data = read_labelled(path, "留言主题+留言详情", "一级标签")
    assert data.labels == ("教育文体", "交通运输")
    assert "学费" in data.docs[0].split()
    assert {"站台", "顶棚"} <= set(data.docs[1].split())
    assert "，" not in data.docs[1]


def test_read_labelled_takes_tokens_as_given(tmp_path: Path) -> None:
    path = tmp_path / "segmented.csv"
    path.write_text(
        "tokens,一级标签\n学校  乱收 学费,教育文体\n公交 站台,交通运输\n", encoding="utf-8"
    )
    data = read_labelled(path, None, "一级标签", "tokens")
    assert data.docs == ("学校 乱收 学费", "公交 站台")
    assert read_labelled(path, None, "一级标签", "tokens", sample=1).labels == ("教育文体",)


def test_read_labelled_names_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("text,label\n学校,教育文体\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no column 一级标签"):
        read_labelled(path, "text", "一级标签")


def test_duplicates_share_a_group() -> None:
    assert duplicate_groups(["a b", "c", "a  b ", "c", "d"]) == [0, 1, 0, 1, 2]


def test_overlap_finds_segmented_copies() -> None:
    raw = ["学校 乱收 学费 家长 意见 很大", "公交 司机 线路 站台 不停", "工厂 污水 异味"]
    segmented = ["乱收 学费 学校 家长 意见", "出租车 拒载 机场", "公交 司机 线路 站台 绕行"]
    assert overlap(raw, segmented) == {0: 0, 2: 1}


def test_fingerprint_follows_the_content() -> None:
    a = LabelledSet(("学校 学费",), ("教育文体",))
    assert a.fingerprint() == LabelledSet(("学校 学费",), ("教育文体",)).fingerprint()
    assert a.fingerprint() != LabelledSet(("学校 学费",), ("交通运输",)).fingerprint()
