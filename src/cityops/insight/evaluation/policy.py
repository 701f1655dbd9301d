"""Who may see the performance evaluation: leaders, administrators, shift leaders (值班长) and
dispatchers see every subject kind; a handler sees the department kind (their own department's
row) and the handlers' scores over their department's cases; everyone else is refused."""

from __future__ import annotations

from cityops.insight.evaluation.model import SubjectKind
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

EVALUATION_VIEWERS = frozenset({Role.leader, Role.admin, Role.shift_leader, Role.dispatcher})
HANDLER_KINDS = (SubjectKind.department, SubjectKind.handler)


def visible_kinds(actor: Actor) -> tuple[SubjectKind, ...]:
    if actor.has(*EVALUATION_VIEWERS):
        return tuple(SubjectKind)
    if actor.has(Role.handler):
        return HANDLER_KINDS
    return ()


def may_view_evaluation(actor: Actor, kind: SubjectKind | None = None) -> None:
    """scores, drill_down, export: the kinds of `visible_kinds` (any of them when None)."""
    kinds = visible_kinds(actor)
    if not kinds or (kind is not None and kind not in kinds):
        raise PermissionDenied(
            "the performance evaluation of this subject is not for your role",
            code="evaluation_forbidden",
        )
