"""The workflow written out for people: the action table of docs/ARCHITECTURE.md, generated
from the specs (a test keeps the document equal to it)."""

from __future__ import annotations

from typing import Any

from cityops.cases.model import OPEN_STATUSES, CaseStatus
from cityops.cases.workflow.registry import Workflow
from cityops.cases.workflow.spec import ActionBody, ActionSpec


def _sources(spec: ActionSpec[Any]) -> str:
    if spec.sources == OPEN_STATUSES:
        return "any open"
    return ", ".join(s.value for s in CaseStatus if s in spec.sources)


def _target(spec: ActionSpec[Any]) -> str:
    to = spec.target.value if spec.target else "(stays)"
    return f"{to} / {spec.alt_target.value}" if spec.alt_target else to


def _rules(spec: ActionSpec[Any]) -> str:
    rules = [
        *(["own department"] if spec.department_bound else []),
        *(["own report in own areas"] if spec.own_report else []),
        *([spec.guard.code] if spec.guard else []),
        *(["reason"] if spec.needs_reason else []),
        *(["note or photo"] if spec.needs_result else []),
    ]
    return ", ".join(rules)


def action_table(workflow: Workflow) -> str:
    """One Markdown row per action: name, Chinese term, roles, from, to, own fields, rules."""
    common = set(ActionBody.model_fields)
    lines = [
        "| action | 中文 | roles | from | to | own fields | checks (refusal code) |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec in workflow:
        fields = ", ".join(f for f in spec.body.model_fields if f not in common)
        roles = ", ".join(sorted(r.value for r in spec.roles))
        lines.append(
            f"| `{spec.name}` | {spec.title} | {roles} | {_sources(spec)} | {_target(spec)} | "
            f"{fields} | {_rules(spec)} |"
        )
    return "\n".join(lines) + "\n"
