"""The import contracts bite: a copy of the source with one forbidden import planted breaks the
contract that forbids it, naming that very import, and the copy as it is keeps every contract.

The copy (src/cityops and pyproject.toml's contracts) is made once; each case plants its line at
the end of a module, runs lint-imports on the copy and puts the module back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FACES = "Domains are entered only through their public.py"
PURE = "Pure logic imports no framework"


@dataclass(frozen=True)
class Plant:
    module: str  # the module the import is planted in
    line: str
    imported: str  # as lint-imports names it (a third-party package by its top name)
    contract: str


PLANTS: dict[str, Plant] = {
    "insight reads the case store": Plant(
        "cityops.insight.service", "import cityops.cases.store", "cityops.cases.store", FACES
    ),
    "appeals reads the area store": Plant(
        "cityops.appeals.portal.service",
        "from cityops.geo import store",
        "cityops.geo.store",
        FACES,
    ),
    "appeals calls the org service directly": Plant(
        "cityops.appeals.hotline.service",
        "from cityops.org.service import OrgService",
        "cityops.org.service",
        FACES,
    ),
    "web reads the case store": Plant(
        "cityops.web.api.cases", "import cityops.cases.store", "cityops.cases.store", FACES
    ),
    "cases reads the responsibility list's store": Plant(
        "cityops.cases.public", "import cityops.taxonomy.store", "cityops.taxonomy.store", FACES
    ),
    "one appeals sub-package reaches into another": Plant(
        "cityops.appeals.portal.board",
        "from cityops.appeals.routing.handlers import ROUTER",
        "cityops.appeals.routing.handlers",
        FACES,
    ),
    "the cli reaches past a face": Plant(
        "cityops.cli.knowledge",
        "from cityops.appeals.knowledge.store import articles",
        "cityops.appeals.knowledge.store",
        FACES,
    ),
    "web reads the webhook store": Plant(
        "cityops.web.api.webhooks", "import cityops.webhooks.store", "cityops.webhooks.store", FACES
    ),
    "the kernel imports sqlalchemy": Plant(
        "cityops.kernel.clock", "import sqlalchemy", "sqlalchemy", PURE
    ),
    "the case model imports fastapi": Plant(
        "cityops.cases.model", "from fastapi import HTTPException", "fastapi", PURE
    ),
    "an appeals model imports pydantic": Plant(
        "cityops.appeals.knowledge.model", "from pydantic import BaseModel", "pydantic", PURE
    ),
    "a policy imports sqlalchemy": Plant(
        "cityops.appeals.hotline.policy", "from sqlalchemy.orm import Session", "sqlalchemy", PURE
    ),
    "the workflow engine imports starlette": Plant(
        "cityops.cases.lifecycle", "import starlette", "starlette", PURE
    ),
}


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """src/cityops (Python files only) and pyproject.toml, copied."""
    root = tmp_path_factory.mktemp("contracts")

    def not_python(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if not (n.endswith(".py") or Path(folder, n).is_dir())]

    shutil.copytree(ROOT / "src" / "cityops", root / "src" / "cityops", ignore=not_python)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports on the copy: its contracts over its source (first on the path)."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "pyproject.toml"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root / "src")},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def broken_sections(output: str) -> dict[str, str]:
    """The report of each broken contract, by the contract's name."""
    report = output.partition("Broken contracts")[2]
    sections: dict[str, str] = {}
    name = None
    lines = report.splitlines()
    for line, underline in zip(lines, [*lines[1:], ""], strict=True):
        if line.strip() and underline.strip() and set(underline.strip()) == {"-"}:
            name = line.strip()
            sections[name] = ""
        elif name is not None:
            sections[name] += line + "\n"
    return sections


def test_the_copy_as_it_is_keeps_every_contract(copy: Path) -> None:
    result = lint_imports(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout


@pytest.mark.parametrize("plant", PLANTS.values(), ids=PLANTS.keys())
def test_a_planted_import_breaks_its_contract(copy: Path, plant: Plant) -> None:
    path = copy / "src" / Path(*plant.module.split(".")).with_suffix(".py")
    assert path.exists(), f"{plant.module} is gone: plant this import in another module"
    original = path.read_text(encoding="utf-8")
    planted = f"{original.rstrip()}\n{plant.line}  # planted\n"
    path.write_text(planted, encoding="utf-8")
    try:
        result = lint_imports(copy)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode == 1, result.stdout + result.stderr
    sections = broken_sections(result.stdout)
    assert plant.contract in sections, result.stdout
    line = len(planted.splitlines())
    named = rf"{re.escape(plant.module)} -> {re.escape(plant.imported)} \(l\.[\d, ]*\b{line}\)"
    assert re.search(named, sections[plant.contract]), result.stdout
