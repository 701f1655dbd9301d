"""The subset of the NGSI-LD query language (`q`) served here, parsed and evaluated.

    expr       := and ('|' and)*            OR
    and        := factor (';' factor)*      AND (binds tighter than OR)
    factor     := '(' expr ')' | attr [op value]
    op         := == != > >= < <=
    value      := number | "string" | number..number (range) | v1,v2,… (list)

An attribute alone tests that the entity has it. A range or a list goes with `==` or `!=` only.
A comparison with an attribute the entity lacks, or of a number with a string, does not match.
Not served: attribute paths (`a.b`, `a[b]`), `~=` patterns, date/time literals, and
`id`/`type` inside `q` (use the `id` and `type` parameters); each is refused as BadRequestData.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cityops.sensing.ngsi_ld.problems import bad_request

_ATTR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPS = ("==", "!=", ">=", "<=", ">", "<")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?$")
MAX_Q_LENGTH = 1000

Scalar = float | str


@dataclass(frozen=True)
class Compare:
    attr: str
    op: str  # one of _OPS, or "" for "has the attribute"
    values: tuple[Scalar, ...] = ()  # one value, or a list
    low: float | None = None  # a range low..high
    high: float | None = None


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Query, ...]


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Query, ...]


Query = Compare | AnyOf | AllOf


def parse_q(text: str) -> Query:
    if not text.strip():
        raise bad_request("q is empty")
    if len(text) > MAX_Q_LENGTH:
        raise bad_request(f"q is longer than {MAX_Q_LENGTH} characters")
    parser = _Parser(text)
    query = parser.expr()
    if parser.pos != len(text):
        raise bad_request(f"q: unexpected {text[parser.pos :]!r} at position {parser.pos}")
    return query


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def expr(self) -> Query:
        parts = [self.conjunction()]
        while self._take("|"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def conjunction(self) -> Query:
        parts = [self.factor()]
        while self._take(";"):
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def factor(self) -> Query:
        if self._take("("):
            inner = self.expr()
            if not self._take(")"):
                raise bad_request(f"q: a ')' is missing at position {self.pos}")
            return inner
        match = _ATTR.match(self.text, self.pos)
        if match is None:
            raise bad_request(f"q: an attribute name is expected at position {self.pos}")
        attr = match.group()
        self.pos = match.end()
        rest = self.text[self.pos :]
        if rest[:1] in (".", "[") or rest[:2] == "~=" or rest[:2] == "!~":
            raise bad_request(
                f"q: {attr}{rest[:2]}… is not supported (attribute paths and patterns are not)"
            )
        if attr in ("id", "type"):
            raise bad_request("q: use the id and type parameters instead of id or type in q")
        op = next((o for o in _OPS if rest.startswith(o)), "")
        if not op:
            return Compare(attr, "")
        self.pos += len(op)
        return self._value(attr, op)

    def _value(self, attr: str, op: str) -> Compare:
        raw = self._raw_value()
        if not raw:
            raise bad_request(f"q: a value is expected after {attr}{op}")
        if ".." in raw and not raw.startswith('"'):
            low, _, high = raw.partition("..")
            if op not in ("==", "!="):
                raise bad_request(f"q: a range goes with == or != only, not {op}")
            return Compare(attr, op, low=_number(low), high=_number(high))
        items = _split_list(raw)
        if len(items) > 1 and op not in ("==", "!="):
            raise bad_request(f"q: a list of values goes with == or != only, not {op}")
        return Compare(attr, op, values=tuple(_scalar(item) for item in items))

    def _raw_value(self) -> str:
        start = self.pos
        quoted = False
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == '"':
                quoted = not quoted
            elif ch == "\\" and quoted:
                self.pos += 1
            elif not quoted and ch in ";|)":
                break
            self.pos += 1
        if quoted:
            raise bad_request("q: a quoted string is not closed")
        return self.text[start : self.pos]

    def _take(self, token: str) -> bool:
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False


def _split_list(raw: str) -> list[str]:
    items: list[str] = []
    current = ""
    quoted = False
    for ch in raw:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            items.append(current)
            current = ""
        else:
            current += ch
    items.append(current)
    return items


def _number(raw: str) -> float:
    if not _NUMBER.match(raw):
        raise bad_request(f"q: {raw!r} is not a number")
    return float(raw)


def _scalar(raw: str) -> Scalar:
    if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
        try:
            text = json.loads(raw)
        except ValueError as exc:
            raise bad_request(f"q: {raw} is not a valid quoted string") from exc
        return str(text)
    if raw in ("true", "false"):
        raise bad_request("q: booleans are not supported (no attribute here is boolean)")
    return _number(raw)


def matches(query: Query, values: Mapping[str, Any]) -> bool:
    """Whether an entity with these plain attribute values satisfies the query."""
    if isinstance(query, AnyOf):
        return any(matches(part, values) for part in query.parts)
    if isinstance(query, AllOf):
        return all(matches(part, values) for part in query.parts)
    if query.attr not in values:
        return False
    if not query.op:
        return True
    actual = values[query.attr]
    if query.low is not None and query.high is not None:
        inside = isinstance(actual, int | float) and query.low <= actual <= query.high
        return inside if query.op == "==" else isinstance(actual, int | float) and not inside
    comparable = [v for v in query.values if isinstance(v, str) == isinstance(actual, str)]
    if not comparable:
        return False
    if query.op == "==":
        return actual in comparable
    if query.op == "!=":
        return actual not in comparable
    target = comparable[0]
    if query.op == ">":
        return bool(actual > target)
    if query.op == ">=":
        return bool(actual >= target)
    if query.op == "<":
        return bool(actual < target)
    return bool(actual <= target)
