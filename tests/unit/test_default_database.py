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


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_and_the_command_line_share_the_default_database() -> None:
    env = {k: v for k, v in os.environ.items() if k != "CITYOPS_DATABASE_URL"}
    dump = subprocess.run(
        ["make", "-s", "-p", "-n", "serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    line = next(x for x in dump.splitlines() if x.startswith("CITYOPS_DATABASE_URL ="))
    made = line.split("=", 1)[1].strip().replace("$(abspath var/", f"$({ROOT}/var/")
    made_path = made.removeprefix("sqlite:///").replace("$(", "").rstrip(")")
    cli = make_url(Settings(_env_file=None).database_url).database  # type: ignore[call-arg]
    assert cli is not None
    assert Path(made_path) == ROOT / cli
