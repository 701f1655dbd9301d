"""Who may use the hotline console: one rule per use case. Taking a call goes through the case
engine's own rules too; the ones here refuse up front what the engine would refuse half-way,
read from the same transition table: 直派 needs the roles that register and dispatch (an
operator given 直派 rights holds the dispatcher role as well), 直接办结 the role that answers
(operator), merging a repeat call the role that merges (dispatcher)."""

from __future__ import annotations

from cityops.appeals.hotline.model import CallMode, ModeRights
from cityops.cases.public import TRANSITIONS, CaseAction
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

HOTLINE_ROLES = frozenset({Role.operator, Role.dispatcher, Role.shift_leader, Role.admin})


def _may(actor: Actor, action: CaseAction) -> bool:
    return actor.has(*TRANSITIONS[action].roles)


def mode_rights(actor: Actor) -> ModeRights:
    """The ways this actor may take a call (all False outside the hotline roles)."""
    if not actor.has(*HOTLINE_ROLES):
        return ModeRights(record=False, dispatch=False, answer=False, merge=False)
    return ModeRights(
        record=True,
        dispatch=_may(actor, CaseAction.register) and _may(actor, CaseAction.dispatch),
        answer=_may(actor, CaseAction.answer),
        merge=_may(actor, CaseAction.merge),
    )


def check_use_hotline(actor: Actor) -> None:
    """caller history, assist and the mode rights: operators, dispatchers, shift leaders,
    admins."""
    if not actor.has(*HOTLINE_ROLES):
        raise PermissionDenied(
            "the hotline console is for operators, dispatchers, shift leaders and admins",
            code="cannot_use_hotline",
        )


def check_take_call(actor: Actor, mode: CallMode, *, merging: bool) -> None:
    check_use_hotline(actor)
    rights = mode_rights(actor)
    if mode is CallMode.dispatch and not rights.dispatch:
        raise PermissionDenied(
            "直派 (register and dispatch at once) needs the dispatcher role",
            code="cannot_direct_dispatch",
        )
    if mode is CallMode.answer and not rights.answer:
        raise PermissionDenied(
            "直接办结 (answering a consultation on the spot) needs the operator role",
            code="cannot_answer",
        )
    if merging and not rights.merge:
        raise PermissionDenied(
            "merging a repeat call into an open case needs the dispatcher role",
            code="cannot_merge",
        )
