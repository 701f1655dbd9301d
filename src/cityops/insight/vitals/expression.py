"""The formula language of derived indicators: arithmetic over other indicators' codes.

    max(iaqi_pm25_24h, iaqi_pm10_24h) · (closed_on_time / due_to_close) * 100 · -a + 2.5

Allowed: numbers, indicator codes, `+ - * /`, unary `+ -`, parentheses, `min(...)` and
`max(...)`. Everything else — attribute access, subscripts, other calls, keywords, comparisons,
strings, lambdas, `**` — is refused. The text is parsed with `ast` and every node is checked
against that list; nothing is ever handed to `eval`, and evaluation walks the checked tree.

Missing data: a code whose value is None makes `+ - * /` give None; `min`/`max` skip None
arguments and give None only when all are None (an AQI over the pollutants measured). A
division by zero gives None ("nothing to measure"), as the case rates do.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_LENGTH = 1000
MAX_NODES = 400
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
FUNCTIONS = frozenset({"min", "max"})

_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_UNARY = (ast.UAdd, ast.USub)


class ExpressionError(ValueError):
    """A formula that is not in the language; the message says what was refused."""


def _check(node: ast.AST, names: set[str]) -> None:
    if isinstance(node, ast.Expression):
        _check(node.body, names)
    elif isinstance(node, ast.BinOp):
        if not isinstance(node.op, _BINOPS):
            raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
        _check(node.left, names)
        _check(node.right, names)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, _UNARY):
            raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
        _check(node.operand, names)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"only numbers are allowed, not {node.value!r}")
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise ExpressionError(f"{node.id} is a function: call it, e.g. {node.id}(a, b)")
        if not CODE_PATTERN.match(node.id):
            raise ExpressionError(f"{node.id!r} is not an indicator code")
        names.add(node.id)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise ExpressionError("only min(...) and max(...) may be called")
        if node.keywords:
            raise ExpressionError(f"{node.func.id}() takes no keywords")
        if not node.args:
            raise ExpressionError(f"{node.func.id}() needs at least one argument")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise ExpressionError("* arguments are not allowed")
            _check(arg, names)
    else:
        raise ExpressionError(f"{type(node).__name__} is not allowed in a formula")


@dataclass(frozen=True)
class Formula:
    """A checked formula. `references`: the indicator codes it reads."""

    text: str
    references: frozenset[str]
    _tree: ast.Expression = field(compare=False, repr=False)

    def evaluate(self, values: Mapping[str, float | None]) -> float | None:
        """The value over `values` (code → value); a code absent from `values` is an error."""
        missing = self.references - values.keys()
        if missing:
            raise KeyError(f"no value given for {', '.join(sorted(missing))}")
        return _eval(self._tree.body, values)


def parse_formula(text: str) -> Formula:
    """Parse and check a formula, or raise ExpressionError saying what is refused."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("a formula is a non-empty text")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"a formula is at most {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not a formula: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("a formula nested too deeply") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ExpressionError(f"a formula has at most {MAX_NODES} parts")
    names: set[str] = set()
    _check(tree, names)
    return Formula(text.strip(), frozenset(names), tree)


def _eval(node: ast.expr, values: Mapping[str, float | None]) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        value = values[node.id]
        return None if value is None else float(value)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        if operand is None:
            return None
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        return None if right == 0 else left / right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [v for v in (_eval(a, values) for a in node.args) if v is not None]
        if not args:
            return None
        return min(args) if node.func.id == "min" else max(args)
    raise ExpressionError(f"{type(node).__name__} is not allowed in a formula")  # pragma: no cover
