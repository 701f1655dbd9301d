"""`cityops insight hotspots` on a small CSV: mixed time formats, votes, --top and --since."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityops.cli import app
from cityops.cli.insight_hotspots import parse_time

ROWS = [
    (
        "1",
        "投诉A2区丽发新城附近建搅拌站噪音扰民",
        "搅拌站噪音很大，灰尘污染",
        "2019/11/2 9:05:00",
        3,
        1,
    ),
    (
        "2",
        "丽发新城小区旁边的搅拌站严重影响生活",
        "小区旁建搅拌站，噪音扬尘严重",
        "2019-11-03 10:00:00",
        5,
        0,
    ),
    ("3", "A2区丽发新城搅拌站噪音扰民", "搅拌站日夜噪音，扬尘污染严重", "2019/11/04 08:00", 0, 0),
    ("4", "A7县204路公交车下班高峰期不发车", "下午3点后204公交车不发车", "2019/6/1 8:00:00", 0, 0),
    ("5", "A7县204路公交车高峰期间隔太长", "204公交车高峰期等不到车", "2019-06-05 18:30:00", 7, 0),
]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "messages.csv"
    lines = ["编号,主题,详情,时间,点赞数,反对数"]
    lines += [",".join(str(v) for v in row) for row in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def invoke(data: Path, *extra: str) -> tuple[int, str]:
    args = ["insight", "hotspots", "--data", str(data), "--text-col", "主题+详情"]
    args += ["--time-col", "时间", *extra]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_prints_the_issues_ranked_with_heat_and_votes(data: Path) -> None:
    code, out = invoke(data, "--votes-col", "点赞数-反对数", "--id-col", "编号")
    assert code == 0, out
    lines = [line for line in out.splitlines() if "│" in line]
    assert len(lines) == 2
    assert "丽发新城" in lines[0]
    assert "2019-11-02~2019-11-04" in lines[0]
    assert "│     7 │" in lines[0]
    assert "204" in lines[1]
    assert "↑新" in lines[0]  # three messages within the last week, none before: emerging
    assert "↑新" not in lines[1]
    assert "│     7 │" in lines[1]
    assert "5 messages, 2 groups" in out.replace("\n", " ")


def test_top_and_since(data: Path) -> None:
    code, out = invoke(data, "--top", "1", "--since", "2019-06-02")
    assert code == 0, out
    rows = [line for line in out.splitlines() if "│" in line]
    assert len(rows) == 1
    assert "丽发新城" in rows[0]
    assert "4 messages" in out


def test_a_missing_column_or_bad_time_is_an_error(tmp_path: Path, data: Path) -> None:
    code, out = invoke(data, "--votes-col", "赞")
    assert code == 1
    assert "--votes-col" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("主题,详情,时间\n甲,乙,昨天\n", encoding="utf-8")
    code, out = invoke(bad)
    assert code == 1
    assert "line 2" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019/2/28 11:25:05", (2019, 2, 28, 11, 25, 5)),
        ("2019-08-01 09:05:00", (2019, 8, 1, 9, 5, 0)),
        ("2019/08/01 09:05", (2019, 8, 1, 9, 5, 0)),
        ("2019-8-1", (2019, 8, 1, 0, 0, 0)),
        ("2019年8月1日", (2019, 8, 1, 0, 0, 0)),
    ],
)
def test_mixed_time_formats(text: str, expected: tuple[int, ...]) -> None:
    t = parse_time(text)
    assert (t.year, t.month, t.day, t.hour, t.minute, t.second) == expected
    assert t.utcoffset() is not None
    assert t.utcoffset().total_seconds() == 8 * 3600
