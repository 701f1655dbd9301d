"""The actions on a reported case (受理之后): register 立案, reject 不予立案, cancel 作废,
merge 合并, self_handle 自行处置 and answer 直接办结."""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import Field

from cityops.cases import events as ev
from cityops.cases.deadlines import on_time
from cityops.cases.model import (
    CONSULTATION_CATEGORY,
    OPEN_STATUSES,
    ActionInput,
    CaseAction,
    CaseSource,
    CaseState,
    is_consultation,
)
from cityops.cases.model import CaseStatus as S
from cityops.cases.workflow.spec import (
    NOTE,
    REASON,
    RESULT,
    ActionBody,
    ActionSpec,
    Code,
    Done,
    FormField,
    FreeText,
    Guard,
    Reading,
    RowId,
    Step,
    single,
)
from cityops.kernel.actor import Role
from cityops.kernel.errors import ValidationFailed
from cityops.worktime.public import Stage

# The longest answer (直接办结) kept in the history, and the longest article code.
ANSWER_MAX = 4000
ARTICLE_CODE_MAX = 32


class MergeBody(ActionBody):
    into_case_id: RowId | None = Field(default=None, description="the open case to merge into")


class AnswerBody(ActionBody):
    answer: FreeText | None = Field(
        default=None, max_length=ANSWER_MAX, description="what the caller was told (直接办结)"
    )
    article_code: Code | None = Field(
        default=None, max_length=ARTICLE_CODE_MAX, description="the knowledge-base article"
    )


def _register(step: Step) -> CaseState:
    step.restart(Stage.dispatch, step.now)
    return dataclasses.replace(step.state, registered_at=step.now)


def _read_merge(body: MergeBody, reading: Reading) -> ActionInput:
    if body.into_case_id is None:
        raise ValidationFailed("merge needs into_case_id", code="into_case_required")
    if body.into_case_id == reading.case_id:
        raise ValidationFailed("a case cannot be merged into itself", code="merge_into_self")
    target = reading.lookup.case_in_scope(body.into_case_id)
    if target is None:
        raise ValidationFailed(
            f"case {body.into_case_id} to merge into was not found", code="unknown_merge_target"
        )
    if target.status not in OPEN_STATUSES:
        raise ValidationFailed(
            f"case {target.number} is {target.status.value}: merge into an open case "
            "(reported, registered, dispatched, in progress, suspended or handled)",
            code="merge_target_closed",
            into_case_id=target.id,
            status=target.status.value,
        )
    return ActionInput(merge_into_id=target.id, merge_into_number=target.number)


def _merge(step: Step) -> CaseState:
    if step.inp.merge_into_id is None:
        raise ValidationFailed("merge needs into_case_id", code="into_case_required")
    return dataclasses.replace(step.state, merged_into_id=step.inp.merge_into_id)


def _merged(done: Done[Any]) -> ev.CaseEvent:
    return ev.CaseMerged(
        **done.event_fields(),
        into_case_id=done.inp.merge_into_id or 0,
        into_case_number=done.inp.merge_into_number or "",
    )


def _merge_data(done: Done[Any]) -> dict[str, Any]:
    return {"into_case_id": done.inp.merge_into_id, "into_case_number": done.inp.merge_into_number}


def _self_handle(step: Step) -> CaseState:
    return dataclasses.replace(
        step.state,
        registered_at=step.now,
        closed_at=step.now,
        closed_on_time=on_time(step.now, step.deadlines.get(Stage.close)),
    )


def _read_answer(body: AnswerBody, reading: Reading) -> ActionInput:
    answer = (body.answer or "").strip()
    if not answer:
        raise ValidationFailed(
            "answer needs the answer given to the caller", code="answer_required"
        )
    if len(answer) > ANSWER_MAX:
        raise ValidationFailed(
            f"the answer is longer than {ANSWER_MAX} characters", code="answer_too_long"
        )
    if len((body.article_code or "").strip()) > ARTICLE_CODE_MAX:
        raise ValidationFailed(
            f"article_code is longer than {ARTICLE_CODE_MAX} characters",
            code="invalid_article_code",
        )
    return ActionInput()


def _answer(step: Step) -> CaseState:  # registered, answered (办结) and closed at once
    return dataclasses.replace(
        step.state,
        registered_at=step.now,
        handled_at=step.now,
        closed_at=step.now,
        closed_on_time=on_time(step.now, step.deadlines.get(Stage.close)),
    )


def _answer_data(done: Done[AnswerBody]) -> dict[str, Any]:
    return {
        "answer": (done.body.answer or "").strip(),
        "article_code": (done.body.article_code or "").strip() or None,
    }


def _answer_refusal(state: CaseState) -> str:
    return (
        f"only a consultation (a category under {CONSULTATION_CATEGORY} 咨询建议) can be "
        f"answered on the spot, not {state.category_code or 'this case'}"
    )


CENTRE = frozenset({Role.operator, Role.dispatcher})
OPEN_INTAKE = frozenset({S.reported, S.registered})

SPECS: tuple[ActionSpec[Any], ...] = (
    ActionSpec(
        name=CaseAction.register,
        title="立案",
        sources=frozenset({S.reported}),
        target=S.registered,
        roles=CENTRE,
        body=ActionBody,
        effect=_register,
        events=single(lambda d: ev.CaseRegistered(**d.event_fields())),
    ),
    ActionSpec(
        name=CaseAction.reject,
        title="不予立案",
        sources=frozenset({S.reported}),
        target=S.rejected,
        roles=CENTRE,
        body=ActionBody,
        effect=lambda step: step.state,
        events=single(lambda d: ev.CaseRejected(**d.event_fields(), reason=d.reason)),
        needs_reason=True,
        form=(REASON,),
        caution=True,
    ),
    ActionSpec(
        name=CaseAction.cancel,
        title="作废",
        sources=OPEN_INTAKE,
        target=S.cancelled,
        roles=frozenset({Role.dispatcher}),
        body=ActionBody,
        effect=lambda step: step.state,
        events=single(lambda d: ev.CaseCancelled(**d.event_fields(), reason=d.reason)),
        needs_reason=True,
        form=(REASON,),
        caution=True,
    ),
    ActionSpec(
        name=CaseAction.merge,
        title="合并",
        sources=OPEN_INTAKE,
        target=S.cancelled,
        roles=frozenset({Role.dispatcher}),
        body=MergeBody,
        read=_read_merge,
        effect=_merge,
        history=_merge_data,
        events=single(_merged),
        reads_other_cases=True,
        form=(FormField("into_case_id", "number", required=True), NOTE),
    ),
    ActionSpec(
        name=CaseAction.self_handle,
        title="自行处置",
        sources=frozenset({S.reported}),
        target=S.closed,
        roles=frozenset({Role.inspector}),
        body=ActionBody,
        effect=_self_handle,
        events=single(
            lambda d: ev.CaseClosed(
                **d.event_fields(), on_time=bool(d.after.closed_on_time), self_handled=True
            )
        ),
        guard=Guard(
            allows=lambda state: state.source is CaseSource.inspector,
            code="not_an_inspector_report",
            refusal=lambda state: (
                f"only an inspector's report may be self-handled, not a {state.source.value} case"
            ),
        ),
        own_report=True,
        needs_result=True,
        form=RESULT,
    ),
    ActionSpec(
        name=CaseAction.answer,
        title="直接办结",
        sources=frozenset({S.reported}),
        target=S.closed,
        roles=frozenset({Role.operator}),
        body=AnswerBody,
        read=_read_answer,
        effect=_answer,
        history=_answer_data,
        events=single(
            lambda d: ev.CaseClosed(
                **d.event_fields(), on_time=bool(d.after.closed_on_time), answered=True
            )
        ),
        guard=Guard(
            allows=lambda state: is_consultation(state.category_code),
            code="not_a_consultation",
            refusal=_answer_refusal,
        ),
        form=(FormField("answer", "textarea", required=True), FormField("article_code"), NOTE),
    ),
)
