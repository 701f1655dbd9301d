"""Import rules (layers pointing down, domains meeting through public.py) hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_kernel_imports_nothing_of_cityops() -> None:
    for path in (ROOT / "src" / "cityops" / "kernel").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        offending = [
            line
            for line in text.splitlines()
            if ("import cityops" in line or "from cityops" in line) and "cityops.kernel" not in line
        ]
        assert not offending, f"{path.name}: {offending}"
