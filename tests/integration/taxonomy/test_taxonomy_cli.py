"""`cityops taxonomy import/export` against a database, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from default_city import seed_default_departments
from typer.testing import CliRunner

from cityops.app import Platform
from cityops.cli import app
from cityops.taxonomy.transfer import DEFAULT_TAXONOMY_FILE


@pytest.fixture
def cli(db_url: str, platform: Platform, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    seed_default_departments(platform)  # the list refuses departments that do not exist
    monkeypatch.setenv("CITYOPS_DATABASE_URL", db_url)
    monkeypatch.setenv("CITYOPS_ENV", "test")
    return CliRunner()


def test_import_then_export(cli: CliRunner, tmp_path: Path) -> None:
    imported = cli.invoke(app, ["taxonomy", "import", str(DEFAULT_TAXONOMY_FILE)])
    assert imported.exit_code == 0, imported.output
    assert "291 created" in imported.output
    for fmt in ("csv", "yaml"):
        target = tmp_path / f"out.{fmt}"
        exported = cli.invoke(app, ["taxonomy", "export", str(target), "--format", fmt])
        assert exported.exit_code == 0, exported.output
        assert "exported 291 categories" in exported.output
        assert "上水井盖" in target.read_text(encoding="utf-8")
    again = cli.invoke(app, ["taxonomy", "import", str(tmp_path / "out.csv")])
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 291 unchanged" in again.output


def test_a_bad_file_exits_1_and_writes_nothing(cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,filing_condition,responsible_kind,register,dispatch,handle,verify,close\n"
        "A01,城乡建设,条件,street_office,1wh,1wh,5wd,1wd,1wd\n"
        "A0101,物业,条件,street_office,1wh,1wh,5 fortnights,1wd,1wd\n",
        encoding="utf-8",
    )
    result = cli.invoke(app, ["taxonomy", "import", str(bad)])
    assert result.exit_code == 1
    assert "row 2 (A0101): handle: unknown time unit" in " ".join(result.output.split())
    out = tmp_path / "out.yaml"
    assert cli.invoke(app, ["taxonomy", "export", str(out)]).exit_code == 0
    assert "categories: []" in out.read_text(encoding="utf-8")


def test_a_row_naming_an_unknown_department_writes_nothing(cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,filing_condition,responsible_kind,department_code,"
        "register,dispatch,handle,verify,close\n"
        "E90,测试,条件,street_office,,1wh,1wh,5wd,1wd,1wd\n"
        "E9001,测试小类,条件,department,NOPE,1wh,1wh,5wd,1wd,1wd\n",
        encoding="utf-8",
    )
    result = cli.invoke(app, ["taxonomy", "import", str(bad)])
    assert result.exit_code == 1
    assert "row 2 (E9001): department_code NOPE names no department" in " ".join(
        result.output.split()
    )
    out = tmp_path / "out.yaml"
    assert cli.invoke(app, ["taxonomy", "export", str(out)]).exit_code == 0
    assert "categories: []" in out.read_text(encoding="utf-8")
