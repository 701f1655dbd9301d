"""`cityops reports build` against the database named by CITYOPS_DATABASE_URL."""

from __future__ import annotations

import io
from pathlib import Path

from case_city import build_city
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from cityops.app import Platform
from cityops.cli import app as cli
from cityops.kernel.actor import SYSTEM


def test_build_writes_the_file_and_archives_on_request(
    db_url: str, platform: Platform, client: TestClient, tmp_path: Path
) -> None:
    city = build_city(platform, client)
    for _ in range(3):
        city.create()
    runner = CliRunner()
    env = {"CITYOPS_DATABASE_URL": db_url}
    out = tmp_path / "nov.xlsx"
    args = ["reports", "build", "--period", "2026-11", "--format", "xlsx", "--out", str(out)]
    result = runner.invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    rows = {r[0]: r for r in load_workbook(out)["概况"].iter_rows(values_only=True) if r}
    assert rows["受理量"][1] == 3

    week = tmp_path / "w48.docx"
    args = ["reports", "build", "--period", "2026-W48", "--format", "docx", "--out", str(week)]
    result = runner.invoke(cli, [*args, "--archive"], env=env)
    assert result.exit_code == 0, result.output
    doc = Document(io.BytesIO(week.read_bytes()))
    assert "本市城市运行周报（2026年第48周 11.23—11.29）" in doc.paragraphs[0].text
    with platform.read() as s:
        archived = platform.reports.archive(s, SYSTEM)
    assert [(a.period, a.format) for a in archived] == [("2026-W48", "docx")]

    result = runner.invoke(cli, ["reports", "build", "--period", "2026/11"], env=env)
    assert result.exit_code == 1
    assert "bad_report_period" in result.output
