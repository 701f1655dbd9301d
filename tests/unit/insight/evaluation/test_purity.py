"""The evaluation's model-level modules (formulas, settings, periods, rankings, policy) import no
database, web or validation framework. model.py and policy.py are also under import-linter's
"Pure logic imports no framework" contract; config, periods and ranking are checked here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cityops.insight.evaluation as package

PURE = ("model.py", "config.py", "periods.py", "ranking.py", "policy.py")
FORBIDDEN = ("sqlalchemy", "fastapi", "starlette", "pydantic")


def framework_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found += [n for n in names if n.split(".")[0] in FORBIDDEN]
    return found


@pytest.mark.parametrize("name", PURE)
def test_model_level_modules_are_pure(name: str) -> None:
    path = Path(package.__file__).with_name(name)
    assert framework_imports(path.read_text(encoding="utf-8")) == []


def test_the_check_sees_a_planted_import() -> None:
    planted = (
        "from __future__ import annotations\nfrom sqlalchemy.orm import Session\nimport pydantic\n"
    )
    assert framework_imports(planted) == ["sqlalchemy.orm", "pydantic"]
