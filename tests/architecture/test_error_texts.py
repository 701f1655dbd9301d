"""Every error code the API can answer has words in both UI languages, so the console shows a
Chinese message for a conflict, a not-found or an out-of-area refusal instead of the server's
English (static/js/api.js reads `error.<code>` from static/i18n/<lang>.json).

The codes are read from the source (ast), the way they are written: a `code = "…"` class
attribute of a DomainError subclass, `code="…"` (a literal or a module constant) given to an
error class or a workflow Guard, the first argument of `error_body("…")`, an f-string code
(`f"invalid_{name}"`: at least one key must match), and web.errors' HTTP codes. A code given in
any other shape is a failure unless UNRESOLVED names it with the reason it is covered, so a new
code cannot ship without its text."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cityops.web.errors import HTTP_CODES, HTTP_ERROR

SRC = Path(__file__).resolve().parents[2] / "src" / "cityops"
I18N = SRC / "web" / "static" / "i18n"
LANGS = ("zh-CN", "en")
# calls that carry an error code besides the error classes themselves
CARRIERS = {"Guard"}
# codes given as an expression: (file under src/cityops, expression) → why they are covered
UNRESOLVED = {
    ("cases/workflow/registry.py", "code"): "a guard's code, from the Guard(code=...) calls",
    ("web/errors.py", "exc.code"): "a DomainError's code: the class attributes and raises",
    ("web/errors.py", "code"): "HTTP_CODES and HTTP_ERROR, checked here",
    ("web/api/auth.py", "refused.code"): "SignInThrottled and SignInBusy: class attributes",
}


@dataclass
class Found:
    codes: dict[str, set[str]] = field(default_factory=dict)  # code → files raising it
    patterns: dict[str, set[str]] = field(default_factory=dict)  # f-string regex → files
    unresolved: list[tuple[str, int, str]] = field(default_factory=list)

    def add(self, code: str, where: str) -> None:
        self.codes.setdefault(code, set()).add(where)


def _error_classes(trees: dict[str, ast.Module]) -> set[str]:
    bases: dict[str, list[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = [
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                ]
    errors = {"DomainError"}
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in errors and errors.intersection(parents):
                errors.add(name)
                grew = True
    return errors


def _pattern(node: ast.JoinedStr) -> str:
    parts = [
        re.escape(str(v.value)) if isinstance(v, ast.Constant) else "[a-z0-9_]+"
        for v in node.values
    ]
    return "^" + "".join(parts) + "$"


def collect_codes(root: Path) -> Found:
    """The error codes raised in the Python files under `root`."""
    trees = {str(p.relative_to(root)): ast.parse(p.read_text("utf-8")) for p in root.rglob("*.py")}
    errors = _error_classes(trees)
    found = Found()
    for where, tree in trees.items():
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }

        def take(value: ast.expr, line: int, where: str = where, consts: dict = constants) -> None:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.add(value.value, where)
            elif isinstance(value, ast.Name) and value.id in consts:
                found.add(consts[value.id], where)
            elif isinstance(value, ast.JoinedStr):
                found.patterns.setdefault(_pattern(value), set()).add(where)
            elif not (isinstance(value, ast.Constant) and value.value is None):
                found.unresolved.append((where, line, ast.unparse(value)))

        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in errors:
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "code" for t in stmt.targets
                    ):
                        take(stmt.value, stmt.lineno)
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in errors or name in CARRIERS:
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        take(keyword.value, node.lineno)
            elif name == "error_body" and node.args:
                take(node.args[0], node.lineno)
    return found


def dictionary(lang: str) -> dict[str, str]:
    words: dict[str, str] = json.loads((I18N / f"{lang}.json").read_text("utf-8"))
    return words


@pytest.fixture(scope="module")
def found() -> Found:
    found = collect_codes(SRC)
    for code in [*HTTP_CODES.values(), HTTP_ERROR]:
        found.add(code, "web/errors.py")
    return found


def test_codes_are_found_where_they_are_raised(found: Found) -> None:
    """The reader sees the shapes the code base uses (a guard against reading nothing)."""
    assert {"not_found", "stale_version", "outside_your_areas", "csrf_failed"} <= set(found.codes)
    assert {"too_many_attempts", "already_evaluated", "bad_area_levels"} <= set(found.codes)
    assert len(found.codes) > 150


def test_every_code_given_as_an_expression_is_accounted_for(found: Found) -> None:
    unknown = [u for u in found.unresolved if (u[0], u[2]) not in UNRESOLVED]
    assert not unknown, (
        "error codes given as an expression the test cannot read — write the code as a literal "
        f"or explain in UNRESOLVED why it is covered: {unknown}"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_every_error_code_has_text_in_each_language(found: Found, lang: str) -> None:
    words = dictionary(lang)
    missing = sorted(
        f"{code} ({', '.join(sorted(files))})"
        for code, files in found.codes.items()
        if not words.get(f"error.{code}", "").strip()
    )
    assert not missing, f"error codes without text in static/i18n/{lang}.json: {missing}"
    for pattern, files in found.patterns.items():
        assert any(re.match(pattern, key.removeprefix("error.")) for key in words), (
            f"no error.<code> text in {lang}.json matches {pattern} (raised in {files})"
        )


def test_a_planted_code_without_text_is_caught(tmp_path: Path) -> None:
    """The check fails on a new code: a module raising one that no dictionary has."""
    (tmp_path / "planted.py").write_text(
        "from cityops.kernel.errors import Conflict\n\n"
        "class Clash(Conflict):\n    code = 'planted_clash'\n\n"
        "def f(name):\n"
        "    raise Conflict('x', code='planted_conflict')\n"
        "    raise Clash('y')\n"
        "    raise Conflict('z', code=f'planted_{name}')\n",
        "utf-8",
    )
    (tmp_path / "kernel.py").write_text("class DomainError(Exception): ...\n", "utf-8")
    (tmp_path / "errors.py").write_text("class Conflict(DomainError): ...\n", "utf-8")
    planted = collect_codes(tmp_path)
    assert set(planted.codes) == {"planted_clash", "planted_conflict"}
    assert list(planted.patterns) == ["^planted_[a-z0-9_]+$"]
    words = dictionary("zh-CN")
    assert not any(f"error.{code}" in words for code in planted.codes)
