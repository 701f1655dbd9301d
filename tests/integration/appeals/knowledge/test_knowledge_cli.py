"""`cityops knowledge import` and the default articles of `cityops init`, on SQLite and
PostgreSQL: create or update by code, all rows or none."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityops.app import Platform
from cityops.cli import app
from cityops.kernel.actor import SYSTEM


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CITYOPS_DATABASE_URL", db_url)
    monkeypatch.setenv("CITYOPS_ENV", "test")
    return CliRunner()


def _codes(platform: Platform) -> dict[str, str]:
    with platform.read() as s:
        return {a.code: a.title for a in platform.knowledge.list_articles(s, SYSTEM)}


def test_init_loads_the_defaults_once(cli: CliRunner, platform: Platform) -> None:
    first = cli.invoke(app, ["init"])
    assert first.exit_code == 0, first.output
    assert "30 default articles loaded" in first.output
    again = cli.invoke(app, ["init"])
    assert again.exit_code == 0, again.output
    assert "default articles" not in again.output
    assert len(_codes(platform)) == 30


def test_import_csv_and_yaml(cli: CliRunner, platform: Platform, tmp_path: Path) -> None:
    csv_file = tmp_path / "kb.csv"
    csv_file.write_text(
        "code,title,keywords,answer,category_code,department_code,department_name,active\n"
        "LOCAL-1,停车收费咨询,停车费|停车收费,请以停车场公示的收费标准为准。,A1301,,,true\n"
        "LOCAL-2,图书馆开放时间,图书馆;借书,请以图书馆官网公布的开放时间为准。,,,,\n",
        encoding="utf-8",
    )
    done = cli.invoke(app, ["knowledge", "import", str(csv_file)])
    assert done.exit_code == 0, done.output
    assert "2 created, 0 updated, 0 unchanged" in done.output
    yaml_file = tmp_path / "kb.yaml"
    yaml_file.write_text(
        "articles:\n"
        "  - {code: LOCAL-1, title: 停车收费标准, keywords: [停车费], answer: 以公示为准。}\n"
        "  - {code: LOCAL-2, title: 图书馆开放时间, keywords: [图书馆, 借书],"
        " answer: 请以图书馆官网公布的开放时间为准。}\n",
        encoding="utf-8",
    )
    again = cli.invoke(app, ["knowledge", "import", str(yaml_file)])
    assert again.exit_code == 0, again.output
    assert "0 created, 1 updated, 1 unchanged" in again.output
    assert _codes(platform) == {"LOCAL-1": "停车收费标准", "LOCAL-2": "图书馆开放时间"}


def test_a_bad_row_writes_nothing(cli: CliRunner, platform: Platform, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,title,keywords,answer,category_code\n"
        "GOOD-1,好的条目,关键词,答复内容。,A1301\n"
        "BAD-2,坏的条目,关键词,答复内容。,E9001\n"
        "GOOD-1,重复条目,关键词,答复内容。,\n",
        encoding="utf-8",
    )
    result = cli.invoke(app, ["knowledge", "import", str(bad)])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "2 problem(s)" in text
    assert "row 2: category_code 'E9001'" in text
    assert "row 3: article GOOD-1 appears twice" in text
    assert _codes(platform) == {}
    unknown = tmp_path / "kb.txt"
    unknown.write_text("x", encoding="utf-8")
    assert cli.invoke(app, ["knowledge", "import", str(unknown)]).exit_code == 1
