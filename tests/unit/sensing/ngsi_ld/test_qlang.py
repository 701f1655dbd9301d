"""The q subset: precedence, ranges, lists, strings, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from cityops.sensing.ngsi_ld.problems import NgsiLdProblem
from cityops.sensing.ngsi_ld.qlang import AllOf, AnyOf, Compare, matches, parse_q

ENTITY: dict[str, Any] = {"pm25": 35.0, "pm10": 60.0, "areaServed": "330191001", "name": "东湖"}


def test_and_binds_tighter_than_or_and_parentheses_regroup() -> None:
    a, b, c = (Compare(name, "==", (float(i),)) for i, name in enumerate("abc", 1))
    assert parse_q("a==1;b==2|c==3") == AnyOf((AllOf((a, b)), c))
    assert parse_q("a==1;(b==2|c==3)") == AllOf((a, AnyOf((b, c))))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("pm25>30", True),
        ("pm25>35", False),
        ("pm25>=35", True),
        ("pm25<35;pm10<100", False),
        ("pm25<35|pm10<100", True),
        ("pm25==35", True),
        ("pm25!=35", False),
        ("pm25==30..40", True),
        ("pm25!=30..40", False),
        ("pm25==1,2,35", True),
        ("pm25!=1,2", True),
        ('areaServed=="330191001"', True),
        ('name=="东湖"', True),
        ('areaServed>"330190"', True),
        ('pm25=="35"', False),  # a string never equals a number
        ("no2>0", False),  # absent attribute
        ("no2!=0", False),
        ("pm25", True),
        ("no2", False),
        ("(pm25>100|pm10>50);areaServed", True),
        ('name==";|)"', False),  # separators inside quotes are text
    ],
)
def test_evaluation(q: str, expected: bool) -> None:
    assert matches(parse_q(q), ENTITY) is expected


@pytest.mark.parametrize(
    "q",
    [
        "",
        "pm25>",
        "pm25>abc",
        "pm25>1..3",
        "pm25<1,2",
        "pm25.observedAt>1",
        "pm25[x]==1",
        "name~=a.*",
        "id==1",
        "(pm25>1",
        "pm25>1)",
        "pm25>1;",
        '"x"==1',
        'name=="open',
        "lamp==true",
        "x" * 1001,
    ],
)
def test_refused(q: str) -> None:
    with pytest.raises(NgsiLdProblem) as refused:
        parse_q(q)
    assert refused.value.kind == "BadRequestData"
    assert refused.value.body()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
