"""Read scope as a query filter: `scoped(select, actor)` keeps only the cases the actor may see.
A case outside the scope is simply not found (404), never shown."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true

from cityops.cases.store import case_assignments, cases
from cityops.kernel.actor import CITYWIDE_ROLES, Actor, Role


def _in_areas(area_codes: tuple[str, ...]) -> ColumnElement[bool]:
    return or_(*(cases.c.area_code.startswith(code, autoescape=True) for code in area_codes))


def sees_whole_city(actor: Actor) -> bool:
    """The actor's scope is every case (a city-wide role not narrowed to areas)."""
    return actor.has(*CITYWIDE_ROLES) and not actor.area_codes


def scope_clause(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause of the actor's scope over `cases` (the union of their roles' scopes)."""
    parts: list[ColumnElement[bool]] = []
    if actor.has(*CITYWIDE_ROLES):
        if not actor.area_codes:
            return true()
        parts.append(_in_areas(actor.area_codes))
    if actor.has(Role.handler) and actor.department_id is not None:
        # cases now or once dispatched to their department …
        parts.append(
            or_(
                cases.c.department_id == actor.department_id,
                exists().where(
                    and_(
                        case_assignments.c.case_id == cases.c.id,
                        case_assignments.c.department_id == actor.department_id,
                    )
                ),
            )
        )
        # … and, for a unit bound to a place (a street office), every case in its area (属地)
        if actor.area_codes:
            parts.append(_in_areas(actor.area_codes))
    if actor.has(Role.inspector):
        mine: list[ColumnElement[bool]] = []
        if actor.area_codes:
            mine.append(_in_areas(actor.area_codes))
        if actor.user_id is not None:
            mine.append(cases.c.created_by_user_id == actor.user_id)
        if mine:
            parts.append(or_(*mine))
    if not parts:
        return false()
    return or_(*parts)


def scoped(stmt: Select[Any], actor: Actor) -> Select[Any]:
    """`stmt` (a select over `cases`) narrowed to the actor's scope."""
    return stmt.where(scope_clause(actor))


def scoped_case_ids(actor: Actor) -> Select[tuple[int]] | None:
    """The ids of the cases in the actor's scope, as a subquery for read models kept beside the
    cases (follow-up visits); None when the actor sees the whole city (nothing to filter)."""
    if sees_whole_city(actor):
        return None
    return select(cases.c.id).where(scope_clause(actor))
