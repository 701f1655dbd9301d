"""The vitals core is pure: importing all of it loads no database, web or validation framework
(the same rule import-linter holds model.py and policy.py to)."""

from __future__ import annotations

import json
import subprocess
import sys

MODULES = [
    "aqi",
    "definition_set",
    "definitions",
    "expression",
    "registry",
    "serialise",
    "states",
    "traffic_index",
]
FRAMEWORKS = ("sqlalchemy", "fastapi", "starlette", "pydantic")


def _loaded_frameworks(modules: list[str]) -> list[str]:
    code = (
        "import json, sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    loaded: list[str] = json.loads(out)
    return loaded


def test_no_framework_is_loaded() -> None:
    assert _loaded_frameworks([f"cityops.insight.vitals.{m}" for m in MODULES]) == []


def test_the_check_sees_a_framework_when_one_is_loaded() -> None:
    # the same check on a module that does load one (the insight service uses SQLAlchemy)
    assert "sqlalchemy" in _loaded_frameworks(["cityops.insight.service"])
