"""The workflow registry: one spec per action, each form field a field of the action's body,
every action and label translated, the docs' table generated from the specs, and the body and
name checks the engine relies on."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cityops.cases.dtos import ActionCommand
from cityops.cases.model import CaseAction
from cityops.cases.workflow.doc import action_table
from cityops.cases.workflow.registry import TRANSITIONS, WORKFLOW, Workflow
from cityops.cases.workflow.spec import ActionBody, ActionSpec
from cityops.kernel.errors import NotFound, ValidationFailed

ROOT = Path(__file__).resolve().parents[3]
I18N = ROOT / "src" / "cityops" / "web" / "static" / "i18n"


def test_every_action_has_one_spec_in_the_enums_order() -> None:
    assert WORKFLOW.names == list(CaseAction)
    assert list(TRANSITIONS) == list(CaseAction)


@pytest.mark.parametrize("spec", list(WORKFLOW), ids=lambda s: s.name)
def test_form_fields_are_fields_of_the_body(spec: ActionSpec[Any]) -> None:
    names = [f.name for f in spec.form]
    assert len(names) == len(set(names))
    assert set(names) <= set(spec.body.model_fields), spec.name
    for field in spec.form:
        assert field.when is None or field.when in names


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_action_and_form_label_is_translated(lang: str) -> None:
    words = json.loads((I18N / f"{lang}.json").read_text("utf-8"))
    keys = {f"action.{spec.name}" for spec in WORKFLOW}
    keys |= {f.label or f"field.{f.name}" for spec in WORKFLOW for f in spec.form}
    keys |= {f"choice.{c}" for spec in WORKFLOW for f in spec.form for c in f.choices}
    assert sorted(keys - set(words)) == []


def test_the_architecture_documents_the_actions_as_declared() -> None:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text("utf-8")
    found = re.search(r"<!-- actions:start -->\n(.*?)<!-- actions:end -->", text, re.S)
    assert found is not None, "docs/ARCHITECTURE.md lost its action table markers"
    assert found.group(1) == action_table(WORKFLOW), (
        "docs/ARCHITECTURE.md's action table differs from the specs; paste this:\n"
        + action_table(WORKFLOW)
    )


def test_an_unknown_action_is_a_404_naming_the_actions() -> None:
    with pytest.raises(NotFound) as err:
        WORKFLOW.spec("teleport")
    assert err.value.code == "unknown_action"
    assert "dispatch" in err.value.details["actions"]


def test_an_action_declared_twice_is_refused() -> None:
    register = WORKFLOW.spec(CaseAction.register)
    with pytest.raises(ValueError, match="declared twice"):
        WORKFLOW.with_actions(register)


def test_a_body_takes_only_its_own_fields() -> None:
    dispatch = WORKFLOW.spec(CaseAction.dispatch).body
    assert (
        dispatch.model_validate({"version": 3, "department_code": "CGJ"}).department_code == "CGJ"
    )
    with pytest.raises(ValueError, match="passed"):
        dispatch.model_validate({"version": 3, "passed": True})
    # a command's fields the action does not take are not read
    body = dispatch.of_command(ActionCommand(version=3, department_code="CGJ", passed=True))
    assert body.model_dump(exclude_defaults=True) == {"version": 3, "department_code": "CGJ"}


def test_a_command_value_the_body_refuses_is_a_422_naming_the_field() -> None:
    extension = WORKFLOW.spec(CaseAction.request_extension).body
    with pytest.raises(ValidationFailed) as err:
        extension.of_command(ActionCommand(version=3, unit="fortnights", amount=1))
    assert (err.value.code, err.value.details["fields"]) == ("invalid_action_input", ["unit"])


def test_a_body_gives_back_the_engines_command() -> None:
    body = WORKFLOW.spec(CaseAction.finish).body(
        version=4, note="修好", photos=["/media/2026/11/result-000000000001.jpg"]
    )
    assert body.to_command() == ActionCommand(
        version=4, note="修好", photos=("/media/2026/11/result-000000000001.jpg",)
    )
    assert isinstance(body, ActionBody)


def test_a_workflow_without_the_action_refuses_it() -> None:
    only_register = Workflow([WORKFLOW.spec(CaseAction.register)])
    assert only_register.names == ["register"]
    assert CaseAction.dispatch not in only_register
