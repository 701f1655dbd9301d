"""The workflow: the actions a case type offers, by name, each one ActionSpec. The engine, the
policy, the API (one body per action), the console forms and the docs all read it. A new case
type with actions of its own extends it (`Workflow.with_actions`) or offers some of its actions
(`Workflow.only`) without editing the engine (workflow/types.py). Pure: no database, no HTTP."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cityops.cases.model import ActionInput, CaseAction, CaseState, CaseStatus, in_actor_areas
from cityops.cases.workflow import closing, handling, timing, triage
from cityops.cases.workflow.spec import ActionBody, ActionSpec, Reading
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import InvalidTransition, NotFound, ValidationFailed


@dataclass(frozen=True)
class Transition:
    """One row of the transition table: from which statuses, to which status (None: stays),
    who."""

    sources: frozenset[CaseStatus]
    target: CaseStatus | None
    roles: frozenset[Role]
    alt_target: CaseStatus | None = None  # verify failed → rework; evaluate unsatisfied → reopen
    department_bound: bool = False  # only a handler of the case's current department


class Workflow:
    """Action name → its spec, in the order the actions are offered."""

    def __init__(self, specs: Iterable[ActionSpec[Any]]) -> None:
        self._specs: dict[str, ActionSpec[Any]] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise ValueError(f"action {spec.name!r} is declared twice")
            self._specs[spec.name] = spec

    def with_actions(self, *specs: ActionSpec[Any]) -> Workflow:
        """This workflow and the actions of a new case type."""
        return Workflow([*self._specs.values(), *specs])

    def only(self, *actions: str) -> Workflow:
        """Some of this workflow's actions (a case type that offers fewer), in its order."""
        for action in actions:
            self.spec(action)  # NotFound for a name it does not have
        return Workflow(s for s in self if s.name in actions)

    def __iter__(self) -> Iterator[ActionSpec[Any]]:
        return iter(self._specs.values())

    def __contains__(self, action: object) -> bool:
        return action in self._specs

    @property
    def names(self) -> list[str]:
        return list(self._specs)

    def spec(self, action: str) -> ActionSpec[Any]:
        """The action's spec; NotFound (404, unknown_action) naming the actions."""
        try:
            return self._specs[action]
        except KeyError:
            raise NotFound(
                f"unknown action {action!r}; the actions are: {', '.join(self._specs)}",
                code="unknown_action",
                actions=self.names,
            ) from None

    def transitions(self) -> dict[str, Transition]:
        """The transition table, as data."""
        return {
            s.name: Transition(s.sources, s.target, s.roles, s.alt_target, s.department_bound)
            for s in self
        }

    # ---- who may act -----------------------------------------------------------------------

    def role_may(self, actor: Actor, action: str) -> bool:
        """The actor holds a role the spec allows (ignoring the case)."""
        return actor.has(*self.spec(action).roles)

    def actor_may(self, actor: Actor, action: str, state: CaseState) -> bool:
        """The actor may take this action on this case: right role, right department, own
        report."""
        spec = self.spec(action)
        if not actor.has(*spec.roles):
            return False
        if spec.department_bound:
            return actor.department_id is not None and actor.department_id == state.department_id
        if spec.own_report:  # their own report, at a place in their areas (grids)
            return (
                actor.user_id is not None
                and actor.user_id == state.created_by_user_id
                and in_actor_areas(actor, state.area_code)
            )
        return True

    def acting_role(self, actor: Actor, action: str) -> str:
        """The role under which the actor takes `action` (the first of theirs it allows)."""
        roles = self.spec(action).roles
        for role in Role:
            if role in roles and role in actor.roles:
                return role.value
        return actor.primary_role

    # ---- what the case allows --------------------------------------------------------------

    def state_allows(self, state: CaseState, action: str) -> bool:
        """The case's status and the spec's guard allow the action."""
        spec = self.spec(action)
        if state.status not in spec.sources:
            return False
        return spec.guard is None or spec.guard.allows(state)

    def actions_now(self, state: CaseState) -> list[str]:
        """Every action the case allows now, whoever acts."""
        return [s.name for s in self if self.state_allows(state, s.name)]

    def allowed_actions(self, state: CaseState, actor: Actor) -> list[str]:
        """The actions this actor may take on this case now."""
        return [
            s.name
            for s in self
            if self.state_allows(state, s.name) and self.actor_may(actor, s.name, state)
        ]

    def check_transition(self, state: CaseState, action: str) -> None:
        """Raise InvalidTransition (409) naming the actions allowed now."""
        if self.state_allows(state, action):
            return
        spec = self.spec(action)
        allowed = self.actions_now(state)
        now_allowed = f"allowed now: {', '.join(allowed) or 'none'}"
        code: str | None = None
        if state.status in spec.sources and spec.guard is not None:
            # the status allows the action: name the rule of the case that refuses it
            message = f"{spec.guard.refusal(state)}; {now_allowed}"
            code = spec.guard.code
        else:
            message = f"cannot {action} a case that is {state.status.value}; {now_allowed}"
        raise InvalidTransition(
            message, code=code, status=state.status.value, action=action, allowed=allowed
        )

    # ---- the action's input ----------------------------------------------------------------

    def read_input(self, action: str, body: ActionBody, reading: Reading) -> ActionInput:
        """Check the body's fields and resolve what they name. ValidationFailed (422)."""
        spec = self.spec(action)
        if spec.needs_reason and not (body.reason or "").strip():
            raise ValidationFailed(f"{action} needs a reason", code="reason_required")
        photos = [p for p in body.photos if p.strip()]
        if spec.needs_result and not body.note.strip() and not photos:
            raise ValidationFailed(
                f"{action} needs the result: a note saying what was done, or at least one photo",
                code="result_required",
            )
        if spec.read is None:
            return ActionInput()
        return spec.read(body, reading)


def _in_enum_order(*groups: Iterable[ActionSpec[Any]]) -> list[ActionSpec[Any]]:
    by_name = {s.name: s for group in groups for s in group}
    return [by_name[action] for action in CaseAction]


# The case engine's workflow: every CaseAction, in the enum's order.
WORKFLOW = Workflow(_in_enum_order(triage.SPECS, handling.SPECS, timing.SPECS, closing.SPECS))

# The transition table of the case engine (read by other domains through cases.public).
TRANSITIONS: Mapping[CaseAction, Transition] = {
    CaseAction(name): row for name, row in WORKFLOW.transitions().items()
}
