"""Definition sets: versions bumped by imports, formula cycles refused, evaluation order."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cityops.insight.vitals.definition_set import (
    DefinitionSet,
    find_cycle,
    import_definitions,
)
from cityops.insight.vitals.definitions import DefinitionError, IndicatorDefinition
from cityops.insight.vitals.registry import parse_definition


def sensing(code: str, **changes: Any) -> IndicatorDefinition:
    data: dict[str, Any] = {
        "code": code,
        "name": {"zh": code, "en": code},
        "unit": "",
        "category": "facilities",
        "source": "sensing",
        "metric": code,
        "aggregation": "mean",
        "refresh": "5m",
        "levels": ["city"],
        "direction": "higher_is_worse",
        **changes,
    }
    return parse_definition(data)


def formula(code: str, expression: str) -> IndicatorDefinition:
    return parse_definition(
        {
            "code": code,
            "name": {"zh": code, "en": code},
            "unit": "",
            "category": "facilities",
            "source": "formula",
            "expression": expression,
            "refresh": "5m",
            "levels": ["city"],
            "direction": "higher_is_worse",
        }
    )


def test_import_adds_changes_and_bumps_the_version_once() -> None:
    current = DefinitionSet(3, (sensing("aa"), sensing("bb")))
    incoming = DefinitionSet(1, (sensing("bb", unit="m"), sensing("aa"), sensing("cc")))
    result = import_definitions(current, incoming)
    assert (result.added, result.changed, result.unchanged) == (("cc",), ("bb",), ("aa",))
    assert result.definitions.version == 4
    assert result.definitions.codes == ("aa", "bb", "cc")
    bb = result.definitions.get("bb")
    assert bb is not None
    assert bb.unit == "m"


def test_import_without_changes_keeps_the_version() -> None:
    current = DefinitionSet(3, (sensing("aa"), formula("ff", "aa * 2")))
    again = DefinitionSet(9, (formula("ff", "aa * 2"), sensing("aa")))
    result = import_definitions(current, again)
    assert (result.added, result.changed) == ((), ())
    assert result.definitions.version == 3
    assert result.definitions == current


def test_a_changed_threshold_is_a_change() -> None:
    current = DefinitionSet(1, (sensing("aa", thresholds={"red": 10}),))
    result = import_definitions(current, DefinitionSet(1, (sensing("aa", thresholds={"red": 11}),)))
    assert result.changed == ("aa",)
    assert result.definitions.version == 2


def test_an_import_that_breaks_a_formula_is_refused() -> None:
    current = DefinitionSet(1, (sensing("aa"), formula("bb", "aa + 1")))
    with pytest.raises(DefinitionError, match="cycle"):
        import_definitions(current, [formula("aa", "bb * 2")])


@pytest.mark.parametrize(
    ("definitions", "cycle"),
    [
        ([formula("aa", "aa + 1")], ("aa", "aa")),
        ([formula("aa", "bb"), formula("bb", "aa")], ("aa", "bb", "aa")),
        (
            [sensing("xx"), formula("aa", "bb + xx"), formula("bb", "cc"), formula("cc", "aa")],
            ("aa", "bb", "cc", "aa"),
        ),
    ],
)
def test_cycles_are_found_and_refused(
    definitions: list[IndicatorDefinition], cycle: tuple[str, ...]
) -> None:
    assert find_cycle(definitions) == cycle
    with pytest.raises(DefinitionError, match="formula cycle " + " → ".join(cycle)) as caught:
        DefinitionSet(1, tuple(definitions))
    assert (caught.value.indicator, caught.value.field) == (cycle[0], "expression")


def test_a_shared_dependency_is_not_a_cycle() -> None:
    defs = [sensing("aa"), formula("bb", "aa"), formula("cc", "aa + bb"), formula("dd", "bb + cc")]
    assert find_cycle(defs) is None
    order = DefinitionSet(1, tuple(defs)).evaluation_order()
    assert order.index("aa") < order.index("bb") < order.index("cc") < order.index("dd")


def test_formulas_are_evaluated_in_order() -> None:
    defs = DefinitionSet(
        1,
        (
            formula("total", "part_sum * 2"),
            formula("part_sum", "aa + bb"),
            sensing("aa"),
            sensing("bb"),
        ),
    )
    values = defs.evaluate_formulas({"aa": 1, "bb": 2})
    assert values == {"aa": 1, "bb": 2, "part_sum": 3, "total": 6}
    assert defs.evaluate_formulas({"aa": 1})["total"] is None  # bb has no value


def test_version_must_be_a_positive_integer() -> None:
    for bad in (0, -1, True, "2"):
        with pytest.raises(DefinitionError):
            DefinitionSet(bad, ())  # type: ignore[arg-type]


def test_lookup() -> None:
    aa = sensing("aa")
    defs = DefinitionSet(1, (aa,))
    assert defs.get("aa") is aa
    assert defs.get("zz") is None
    assert len(defs) == 1
    assert list(defs) == [aa]
    assert replace(defs, version=2) != defs
