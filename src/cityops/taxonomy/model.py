"""The category taxonomy and responsibility list (权责清单) as plain Python: no database, no HTTP.

Code scheme (ASCII, short, self-describing):

    <kind letter><2 digits per level>
    C = component 部件, E = event 事件, A = appeal 诉求 (12345)
    level 1 大类  "C01"      (e.g. 公用设施)
    level 2 小类  "C0101"    (e.g. 井盖)
    level 3 细类  "C010101"  (e.g. 上水井盖)

So the parent of a code is the code without its last two digits, and its level is
(len(code) - 1) / 2. Each category carries a time limit per stage (`worktime.limits`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeVar

from cityops.kernel.text import clean_text
from cityops.worktime.public import LimitFormatError, Stage, TimeLimit

MAX_LEVEL = 3
CODE_RE = re.compile(r"^[CEA](\d{2}){1,3}$")
KEYWORDS_MAX = 30  # keywords (关键词) of one category
KEYWORD_MAX_CHARS = 20
_KEYWORD_SPLIT = re.compile(r"[、，,；;\s]+")
DEPARTMENT_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")
_E = TypeVar("_E", bound=StrEnum)


class CategoryKind(StrEnum):
    component = "component"  # 部件
    event = "event"  # 事件
    appeal = "appeal"  # 诉求 (12345)


KIND_PREFIX: Mapping[CategoryKind, str] = {
    CategoryKind.component: "C",
    CategoryKind.event: "E",
    CategoryKind.appeal: "A",
}


class Urgency(StrEnum):
    normal = "normal"  # 一般
    urgent = "urgent"  # 紧急
    critical = "critical"  # 特急


class ResponsibleKind(StrEnum):
    department = "department"  # a fixed department named by the list
    street_office = "street_office"  # 属地街道办事处
    district_government = "district_government"  # 属地区政府


class TaxonomyFormatError(ValueError):
    """A value that cannot be read as part of a category (bad limit, unknown enum value)."""


@dataclass(frozen=True)
class Category:
    """One item of the taxonomy with its responsibility rule and stage time limits."""

    code: str
    name: str
    parent_code: str | None
    level: int
    kind: CategoryKind
    filing_condition: str  # 立案条件
    urgency: Urgency
    responsible_kind: ResponsibleKind
    department_code: str | None  # set when responsible_kind == department
    limits: Mapping[Stage, TimeLimit] = field(default_factory=dict)
    active: bool = True
    # words that name the category in an appeal's text (关键词): smart routing reads them
    keywords: tuple[str, ...] = ()

    def __hash__(self) -> int:  # `limits` is a mapping: hash by identity fields only
        return hash((self.code, self.name, self.level, self.active))

    def limit(self, stage: Stage) -> TimeLimit:
        return self.limits[stage]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (revisions, exports)."""
        return {
            "code": self.code,
            "name": self.name,
            "parent_code": self.parent_code,
            "level": self.level,
            "kind": self.kind.value,
            "filing_condition": self.filing_condition,
            "urgency": self.urgency.value,
            "responsible_kind": self.responsible_kind.value,
            "department_code": self.department_code,
            "limits": {s.value: self.limits[s].to_json() for s in Stage if s in self.limits},
            "active": self.active,
            "keywords": list(self.keywords),
        }


def level_of(code: str) -> int:
    """1 for 大类 "C01", 2 for 小类 "C0101", 3 for 细类 "C010101"."""
    return (len(code) - 1) // 2


def parent_code_of(code: str) -> str | None:
    return code[:-2] if level_of(code) > 1 else None


def kind_of(code: str) -> CategoryKind | None:
    for kind, prefix in KIND_PREFIX.items():
        if code.startswith(prefix):
            return kind
    return None


def parse_enum(enum: type[_E], value: Any, what: str) -> _E:
    try:
        return enum(str(value).strip())
    except ValueError as exc:
        allowed = ", ".join(m.value for m in enum)
        raise TaxonomyFormatError(f"unknown {what} {value!r}: use one of {allowed}") from exc


def split_keywords(value: object) -> tuple[str, ...]:
    """Keywords as written in the list: a YAML list, or one string separated by 、 , ; or
    spaces; blanks and repeats dropped, order kept."""
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        for word in _KEYWORD_SPLIT.split(str(item)):
            word = word.strip()
            if word and word not in out:
                out.append(word)
    return tuple(out)


def cleaned(category: Category) -> Category:
    """The category with its name, filing condition and keywords under the text rule
    (kernel/text.py: no control characters, NFC) and stripped."""
    name = clean_text(category.name).strip()
    condition = clean_text(category.filing_condition).strip()
    keywords = split_keywords([clean_text(k) for k in category.keywords])
    if (name, condition, keywords) == (category.name, category.filing_condition, category.keywords):
        return category
    return replace(category, name=name, filing_condition=condition, keywords=keywords)


def category_problems(category: Category, parent: Category | None) -> list[str]:
    """Everything wrong with a category, given its parent as it is (or will be) stored.
    An empty list means the category is valid."""
    problems: list[str] = []
    code = category.code
    if not CODE_RE.match(code):
        problems.append(
            f"code {code!r} must be C/E/A followed by 2, 4 or 6 digits (e.g. C01, C0101, C010101)"
        )
    else:
        expected_kind = kind_of(code)
        if category.kind is not expected_kind:
            problems.append(f"code {code} is a {expected_kind} code but kind is {category.kind}")
        if category.level != level_of(code):
            problems.append(f"level {category.level} does not match code {code}")
        expected_parent = parent_code_of(code)
        if category.parent_code != expected_parent:
            problems.append(
                f"parent_code must be {expected_parent!r} for code {code}"
                if expected_parent
                else f"{code} is a top-level code (大类) and has no parent"
            )
        elif expected_parent is not None and parent is None:
            problems.append(f"parent category {expected_parent} does not exist")
    if not 1 <= category.level <= MAX_LEVEL:
        problems.append(f"level must be 1 (大类), 2 (小类) or 3 (细类), not {category.level}")
    if parent is not None:
        if parent.level + 1 != category.level:
            problems.append(f"level must be parent level + 1 ({parent.level + 1})")
        if parent.kind is not category.kind:
            problems.append(f"kind {category.kind} differs from parent's kind {parent.kind}")
    if not category.name.strip():
        problems.append("name is empty")
    elif len(category.name) > 100:
        problems.append("name is longer than 100 characters")
    if not category.filing_condition.strip():
        problems.append("filing_condition (立案条件) is empty")
    problems.extend(_responsibility_problems(category))
    problems.extend(_limit_problems(category.limits))
    problems.extend(keyword_problems(category.keywords))
    return problems


def keyword_problems(keywords: tuple[str, ...]) -> list[str]:
    """At most KEYWORDS_MAX keywords of at most KEYWORD_MAX_CHARS characters each."""
    problems = []
    if len(keywords) > KEYWORDS_MAX:
        problems.append(f"at most {KEYWORDS_MAX} keywords, not {len(keywords)}")
    long = [k for k in keywords if len(k) > KEYWORD_MAX_CHARS]
    if long:
        problems.append(
            f"a keyword has at most {KEYWORD_MAX_CHARS} characters: {', '.join(long[:3])}"
        )
    return problems


def _responsibility_problems(category: Category) -> list[str]:
    dept = category.department_code
    if category.responsible_kind is ResponsibleKind.department:
        if not dept:
            return ["department_code is required when responsible_kind is department"]
        if not DEPARTMENT_CODE_RE.match(dept):
            return [f"department_code {dept!r} must be upper-case letters/digits, e.g. CGJ"]
    elif dept:
        return [
            f"department_code must be empty when responsible_kind is {category.responsible_kind}"
        ]
    return []


def named_department(category: Category) -> str | None:
    """The department a category in use routes to by name (a fixed responsible department)."""
    if category.active and category.responsible_kind is ResponsibleKind.department:
        code = category.department_code
        if code and DEPARTMENT_CODE_RE.match(code):
            return code
    return None


def department_problems(category: Category, active_by_code: Mapping[str, bool]) -> list[str]:
    """The category in use names a department that exists and is active (`active_by_code`:
    every department's code → whether it is active)."""
    code = named_department(category)
    if code is None:
        return []
    if code not in active_by_code:
        return [f"department_code {code} names no department; create the department first"]
    if not active_by_code[code]:
        return [f"department_code {code} names an inactive department"]
    return []


def _limit_problems(limits: Mapping[Stage, TimeLimit]) -> list[str]:
    problems = []
    for stage in Stage:
        limit = limits.get(stage)
        if limit is None:
            problems.append(f"time limit for stage {stage} is missing")
        elif not math.isfinite(limit.amount) or limit.amount <= 0:
            problems.append(f"time limit for stage {stage} must be positive, not {limit.amount}")
    extra = set(limits) - set(Stage)
    if extra:
        problems.append(f"unknown stages in limits: {sorted(map(str, extra))}")
    return problems


LIMIT_COLUMNS: tuple[str, ...] = tuple(stage.value for stage in Stage)
_TRUE = {"true", "1", "yes", "y", "是"}
_FALSE = {"false", "0", "no", "n", "否"}


def category_from_row(row: Mapping[str, Any]) -> Category:
    """Read one category from a flat row (a CSV line, a YAML item, a JSON body).

    Keys: code, name, filing_condition, urgency (default normal), responsible_kind (default
    department when department_code is given), department_code, active (default true),
    keywords (a list, or one string separated by 、 , ; or spaces; default none), and the
    limits either as `limits: {stage: "3wd" | {amount, unit}}` or as one column per stage
    (register, dispatch, handle, verify, close). parent_code, level and kind follow from the code
    when left out. Raises TaxonomyFormatError when a value cannot be read; whether the category
    makes sense is `category_problems`' job."""
    code = _text(row.get("code"))
    if not code:
        raise TaxonomyFormatError("code is missing")
    department_code = _text(row.get("department_code")) or None
    responsible = _text(row.get("responsible_kind"))
    if not responsible:
        responsible = ResponsibleKind.department.value if department_code else ""
    if not responsible:
        raise TaxonomyFormatError("responsible_kind is missing")
    kind_text = _text(row.get("kind"))
    derived_kind = kind_of(code)
    if kind_text:
        kind = parse_enum(CategoryKind, kind_text, "kind")
    elif derived_kind is not None:
        kind = derived_kind
    else:
        raise TaxonomyFormatError(f"kind is missing and code {code!r} does not imply one")
    parent_text = _text(row.get("parent_code"))
    level_text = _text(row.get("level"))
    try:
        level = int(float(level_text)) if level_text else level_of(code)
    except ValueError as exc:
        raise TaxonomyFormatError(f"level {level_text!r} is not a number") from exc
    return Category(
        code=code,
        name=_text(row.get("name")),
        parent_code=parent_text or parent_code_of(code),
        level=level,
        kind=kind,
        filing_condition=_text(row.get("filing_condition")),
        urgency=parse_enum(Urgency, _text(row.get("urgency")) or "normal", "urgency"),
        responsible_kind=parse_enum(ResponsibleKind, responsible, "responsible_kind"),
        department_code=department_code,
        limits=_limits_from_row(row),
        active=_flag(row.get("active", True)),
        keywords=split_keywords(row.get("keywords")),
    )


def _limits_from_row(row: Mapping[str, Any]) -> dict[Stage, TimeLimit]:
    raw = row.get("limits")
    if raw is not None and not isinstance(raw, Mapping):
        raise TaxonomyFormatError("limits must be a mapping of stage to time limit")
    source: Mapping[str, Any] = raw if raw is not None else row
    limits: dict[Stage, TimeLimit] = {}
    for key, value in source.items():
        if raw is None and key not in LIMIT_COLUMNS:
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        stage = parse_enum(Stage, key, "stage")
        try:
            limits[stage] = TimeLimit.parse(value)
        except LimitFormatError as exc:
            raise TaxonomyFormatError(f"{stage}: {exc}") from exc
    return limits


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE or text == "":
        return True
    if text in _FALSE:
        return False
    raise TaxonomyFormatError(f"active must be true or false, not {value!r}")
