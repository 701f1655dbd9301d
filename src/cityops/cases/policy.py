"""Who may do what with cases: one rule per use case. Each raises PermissionDenied with a message
that names the missing role. Which roles take which workflow action is the transition table's
business (each action's spec in cases/workflow/); these rules apply it."""

from __future__ import annotations

from cityops.cases.model import CaseState, in_actor_areas
from cityops.cases.workflow.registry import WORKFLOW, Workflow
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

INTAKE_ROLES = frozenset(
    {
        Role.operator,
        Role.dispatcher,
        Role.shift_leader,
        Role.inspector,
        Role.admin,
        Role.integration,
        Role.citizen,
    }
)
READ_ROLES = frozenset(
    {
        Role.admin,
        Role.leader,
        Role.dispatcher,
        Role.shift_leader,
        Role.operator,
        Role.handler,
        Role.inspector,
    }
)
# Roles that may see a reporter's phone number in clear (a handler only on their department's case).
CONTACT_ROLES = frozenset({Role.operator, Role.dispatcher, Role.shift_leader})


def _names(roles: frozenset[Role]) -> str:
    return ", ".join(sorted(r.value for r in roles))


def check_create_case(actor: Actor) -> None:
    if not actor.has(*INTAKE_ROLES):
        raise PermissionDenied(
            f"creating a case needs one of the roles: {_names(INTAKE_ROLES)}",
            code="cannot_create_case",
        )


def check_create_case_at(actor: Actor, area_code: str, area_name: str) -> None:
    """An actor bound to areas (an inspector's grids, an area-scoped dispatcher or operator)
    reports only within them: a case they could not see afterwards is refused at intake."""
    if not in_actor_areas(actor, area_code):
        raise PermissionDenied(
            f"the place lies in {area_name} ({area_code}), outside your areas "
            f"({', '.join(actor.area_codes)}): report it to the centre or the staff of that area",
            code="outside_your_areas",
            area_code=area_code,
            area_name=area_name,
            your_areas=list(actor.area_codes),
        )


def check_read_cases(actor: Actor) -> None:
    """Reading is further narrowed by scoping.scoped(); this rule only refuses role-less actors."""
    if not actor.has(*READ_ROLES):
        raise PermissionDenied(
            f"reading cases needs one of the roles: {_names(READ_ROLES)}", code="cannot_read_cases"
        )


def check_action(actor: Actor, action: str, workflow: Workflow = WORKFLOW) -> None:
    """The actor holds a role the spec allows for `action` (before the case is even loaded)."""
    if not workflow.role_may(actor, action):
        raise PermissionDenied(
            f"{action} needs one of the roles: {_names(workflow.spec(action).roles)}",
            code="role_not_allowed",
            action=action,
        )


def check_action_on(
    actor: Actor, action: str, state: CaseState, workflow: Workflow = WORKFLOW
) -> None:
    """Case-bound rules: a handler acts only for the case's current department; an inspector
    self-handles only a case they reported."""
    check_action(actor, action, workflow)
    if workflow.actor_may(actor, action, state):
        return
    if workflow.spec(action).own_report:
        if actor.user_id is not None and actor.user_id == state.created_by_user_id:
            raise PermissionDenied(
                f"{action} is only for a case in your areas ({', '.join(actor.area_codes)}); "
                f"this one lies in {state.area_code}",
                code="outside_your_areas",
                area_code=state.area_code,
            )
        raise PermissionDenied(
            f"{action} is only for the inspector who reported the case", code="not_own_report"
        )
    raise PermissionDenied(
        f"{action} is only for a handler of the department the case is dispatched to",
        code="not_case_department",
        action=action,
    )


def may_reveal_contact(actor: Actor, state: CaseState) -> bool:
    if actor.has(*CONTACT_ROLES):
        return True
    return (
        actor.has(Role.handler)
        and actor.department_id is not None
        and actor.department_id == state.department_id
    )


def check_reveal_contact(actor: Actor, state: CaseState) -> None:
    if not may_reveal_contact(actor, state):
        raise PermissionDenied(
            "the reporter's contact is shown only to operators, dispatchers, shift leaders and "
            "handlers of the case's department",
            code="cannot_reveal_contact",
        )


# Roles that may upload a photo for a case (the staff who write cases: intake, workflow steps).
# Not a citizen account (the portal's appeal form takes its photos) nor an integration token
# (Open311 clients send a media_url), nor a leader (reads only).
PHOTO_ROLES = frozenset(
    {
        Role.operator,
        Role.dispatcher,
        Role.shift_leader,
        Role.handler,
        Role.inspector,
        Role.admin,
    }
)


def check_upload_photo(actor: Actor) -> None:
    if not actor.has(*PHOTO_ROLES):
        raise PermissionDenied(
            f"uploading a photo needs one of the roles: {_names(PHOTO_ROLES)}",
            code="cannot_upload_photo",
        )


# Roles that may look cases up by the reporter's phone (the hotline's caller history).
PHONE_SEARCH_ROLES = CONTACT_ROLES | {Role.admin}


def check_search_by_phone(actor: Actor) -> None:
    if not actor.has(*PHONE_SEARCH_ROLES):
        raise PermissionDenied(
            "looking cases up by phone number needs one of the roles: "
            f"{_names(PHONE_SEARCH_ROLES)}",
            code="cannot_search_by_phone",
        )
