"""`make demo`/`make serve` and the `cityops` command line run in the checkout use one database by
default, so that a user added with `cityops users add` signs in to the demo's server."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from cityops.infra.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# a target that prints the URL the Makefile exports, expanded as make expands it
PRINT_URL = "print-database-url: ; @echo $(CITYOPS_DATABASE_URL)"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_and_the_command_line_share_the_default_database() -> None:
    env = {k: v for k, v in os.environ.items() if k != "CITYOPS_DATABASE_URL"}
    printed = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", PRINT_URL, "print-database-url"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    made = make_url(printed).database
    cli = make_url(Settings.model_fields["database_url"].default).database  # the default
    assert made is not None
    assert cli is not None
    assert Path(made) == ROOT / cli
