"""The declaration of one workflow action (ActionSpec) and what its parts receive: the action's
body (a pydantic model), the lookups reading it may make (a Protocol the store side provides),
the step its effect computes, and the finished step its history line and events describe.
Pure: no database, no HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Protocol, Self, TypeVar

from annotated_types import Interval
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from cityops.cases import events as ev
from cityops.cases.deadlines import project
from cityops.cases.dtos import ActionCommand
from cityops.cases.model import (
    ActionInput,
    CaseState,
    CaseStatus,
    DepartmentTarget,
    WorkCalendar,
)
from cityops.kernel.actor import Role
from cityops.kernel.errors import ValidationFailed
from cityops.kernel.media import photo_problem
from cityops.kernel.text import clean_text, code_problem
from cityops.worktime.public import Stage

# A stored row's id or version: what the databases' 64-bit integers hold.
RowId = Annotated[int, Interval(ge=1, le=2**63 - 1)]


def _code(value: str) -> str:
    problem = code_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


# What actions take as text (kernel/text.py): free text (a note, a reason, an answer) is
# cleaned of control characters; a code (a department's, an article's) holding one is refused.
FreeText = Annotated[str, AfterValidator(clean_text)]
Code = Annotated[str, AfterValidator(_code)]


def _stored_photo(ref: str) -> str:
    problem = photo_problem(ref) if ref.strip() else None
    if problem is not None:
        raise ValueError(problem)
    return ref


def without_blanks(photos: list[str]) -> list[str]:
    return [p for p in photos if p.strip()]


# A photo on a case (kernel/media.py): the reference of a photo the platform stored; a list of
# them drops blank entries (a form's empty line) and refuses anything else, naming its position.
PhotoRef = Annotated[str, AfterValidator(_stored_photo)]
PhotoRefs = Annotated[list[PhotoRef], AfterValidator(without_blanks)]


class ActionBody(BaseModel):
    """What every action takes: the case version the actor saw, a note, a reason and photos.
    An action with fields of its own declares a subclass; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    version: RowId = Field(description="the case version you acted on (409 if stale)")
    note: FreeText = Field(
        default="",
        max_length=2000,
        description="finish / self_handle: the result (a note or at least one photo is required)",
    )
    reason: FreeText | None = Field(
        default=None,
        max_length=2000,
        description="reject, cancel, return, suspend, request_extension: required",
    )
    photos: PhotoRefs = Field(
        default_factory=list,
        max_length=20,
        description="finish / self_handle: the result photos, each the reference a photo upload "
        "returned (/media/<yyyy>/<mm>/<name>.<jpg|png|webp>); blank lines are dropped",
    )

    def to_command(self) -> ActionCommand:
        """The engine's command carrying these fields."""
        fields = self.model_dump()
        fields["photos"] = tuple(self.photos)
        return ActionCommand(**fields)

    @classmethod
    def of_command(cls, cmd: ActionCommand) -> Self:
        """This body read from a command (the command's fields this action does not take are
        not read). ValidationFailed (422) for a value the body refuses."""
        fields = {name: getattr(cmd, name) for name in cls.model_fields if hasattr(cmd, name)}
        try:
            return cls.model_validate(fields)
        except ValidationError as exc:
            names = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
            raise ValidationFailed(
                f"invalid {', '.join(names)}: {exc.errors()[0]['msg']}",
                code="invalid_action_input",
                fields=names,
            ) from None


B = TypeVar("B", bound=ActionBody)


@dataclass(frozen=True)
class FoundDepartment:
    target: DepartmentTarget
    active: bool


@dataclass(frozen=True)
class CaseBrief:
    id: int
    number: str
    status: CaseStatus


class Lookup(Protocol):
    """What reading an action's input may look up; the store side provides it."""

    def department(self, code: str) -> FoundDepartment | None:
        """The department with this code, None when there is none."""
        ...

    def case_in_scope(self, case_id: int) -> CaseBrief | None:
        """Another case the actor can see, None outside their scope or gone."""
        ...


@dataclass(frozen=True)
class Reading:
    """The case an action's input is read for."""

    case_id: int
    state: CaseState
    suggested_department_code: str | None
    lookup: Lookup


@dataclass
class Step:
    """The state an effect works on: the case before, the resolved input, and the deadlines
    (projected again from a stage with `restart`)."""

    state: CaseState
    inp: ActionInput
    now: datetime
    calendar: WorkCalendar
    deadlines: dict[Stage, datetime]

    def restart(self, first: Stage, start: datetime) -> None:
        self.deadlines = project(self.deadlines, first, start, self.state.limits, self.calendar)


@dataclass(frozen=True)
class Done(Generic[B]):
    """A computed step, as its history line and events describe it."""

    body: B
    inp: ActionInput
    before: CaseState
    after: CaseState
    case_id: int
    case_number: str
    now: datetime
    actor: str
    role: str
    extension_id: int | None
    actor_user_id: int | None = None  # the user acting; None for the system or the portal

    @property
    def reason(self) -> str:
        return (self.body.reason or "").strip()

    @property
    def department_code(self) -> str:
        """The department the step concerns: the case's now, or the one it had."""
        return self.after.department_code or self.before.department_code or ""

    def event_fields(self) -> dict[str, Any]:
        """The fields every case event of the step carries."""
        return {
            "occurred_at": self.now,
            "actor": self.actor,
            "actor_role": self.role,
            "case_id": self.case_id,
            "case_number": self.case_number,
            "status": self.after.status.value,
        }


@dataclass(frozen=True)
class Guard:
    """A rule of the case beyond its status (a pending extension, its source, its category):
    `allows` the action, or InvalidTransition with `code` and the message `refusal` writes."""

    allows: Callable[[CaseState], bool]
    code: str
    refusal: Callable[[CaseState], str]


class ExtensionRecord(StrEnum):
    """The extension request row a step writes (延期申请) or decides (延期审批)."""

    request = "request"
    approve = "approve"
    deny = "deny"


@dataclass(frozen=True)
class FormField:
    """One field of the action's console form; the label is the i18n key `label` or
    `field.<name>`. kind: text, textarea, number, lines (one per line), yesno, choice,
    department. `when`: shown only when that yes/no field is answered yes."""

    name: str
    kind: str = "text"
    required: bool = False
    label: str | None = None
    when: str | None = None
    min: float | None = None
    choices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v not in (None, (), False)}


NOTE = FormField("note", "textarea")
REASON = FormField("reason", "textarea", required=True)
RESULT = (
    FormField("note", "textarea", required=True, label="field.result"),
    FormField("photos", "lines"),
)


def no_effect(step: Step) -> CaseState:
    return step.state


def no_data(done: Done[Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class ActionSpec(Generic[B]):
    """One workflow action, declared once: who (roles, the department-bound and own-report
    rules), from where (statuses and a guard), to where (target; `alt_target` chosen by
    `choose_target`), its input (`body`, read by `read` into the resolved ActionInput), what it
    does to the case (`effect`), its history data and its events, and its console form."""

    name: str
    title: str  # the Chinese term
    sources: frozenset[CaseStatus]
    target: CaseStatus | None  # None: the status stays
    roles: frozenset[Role]
    body: type[B]
    effect: Callable[[Step], CaseState]
    events: Callable[[Done[B]], list[ev.CaseEvent]]
    read: Callable[[B, Reading], ActionInput] | None = None  # None: nothing to resolve
    history: Callable[[Done[B]], dict[str, Any]] = no_data
    alt_target: CaseStatus | None = None
    choose_target: Callable[[CaseState, ActionInput], CaseStatus] | None = None
    guard: Guard | None = None
    department_bound: bool = False  # only a handler of the case's current department
    own_report: bool = False  # only the reporter, at a place in their areas
    needs_reason: bool = False
    needs_result: bool = False  # a note or at least one photo
    reads_other_cases: bool = False  # prepared again inside the write
    extension: ExtensionRecord | None = None
    form: tuple[FormField, ...] = (NOTE,)
    caution: bool = False  # the console shows its button as a warning

    def target_of(self, state: CaseState, inp: ActionInput) -> CaseStatus:
        """The status the case lands in."""
        if self.choose_target is not None:
            return self.choose_target(state, inp)
        return self.target if self.target is not None else state.status


def single(
    event: Callable[[Done[Any]], ev.CaseEvent],
) -> Callable[[Done[Any]], list[ev.CaseEvent]]:
    """An action raising one event."""
    return lambda done: [event(done)]
