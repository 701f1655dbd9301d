"""Read scope of alarms as a query filter: `alarm_scope(actor)` keeps only the alarms the actor
may see and act on. An alarm outside it is simply not found (404), never shown — as a case
outside the case scope is not (cases/scoping.py, whose rules these carry over to the device an
alarm is about). The scope is the union of the actor's roles' scopes:

- administrators, leaders, dispatchers, shift leaders and operators (`CITYWIDE_ROLES`), and
  integration tokens (they manage every device): every alarm; an account bound to areas (a
  dispatcher of one street) sees the alarms in its areas only.
- handlers (承办人): the alarms of the devices their department owns (权属单位) or maintains
  (运维单位) — what "the cases dispatched to their department" is for cases — and, for a unit
  bound to a place (a street office, 属地), every alarm in its area.
- inspectors (监督员/网格员): the alarms in their areas; none without areas.

An alarm's place is the area its device stands in now (`sensing_devices.area_code`); an alarm
without a device (many devices silent together) has the area it was raised for, and a group
under one gateway, which has no area, is seen by the unbound city-wide roles only."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true

from cityops.kernel.actor import CITYWIDE_ROLES, Actor, Role
from cityops.sensing import store as t

# the roles that see every alarm when their account is bound to no area
WHOLE_CITY_ROLES = (*CITYWIDE_ROLES, Role.integration)
AREA_ROLES = (*WHOLE_CITY_ROLES, Role.handler, Role.inspector)

_A, _D = t.alarms, t.devices


def sees_every_alarm(actor: Actor) -> bool:
    return actor.has(*WHOLE_CITY_ROLES) and not actor.area_codes


def _areas(actor: Actor) -> tuple[str, ...]:
    """The areas within which every alarm is in the actor's scope."""
    return actor.area_codes if actor.has(*AREA_ROLES) else ()


def _department(actor: Actor) -> str | None:
    """The department whose devices' alarms are in the actor's scope (a handler's own)."""
    if not actor.has(Role.handler):
        return None
    return actor.department_code or None


def _in_areas(column: ColumnElement[str], areas: tuple[str, ...]) -> ColumnElement[bool]:
    return or_(*(column.startswith(code, autoescape=True) for code in areas))


def _device_parts(actor: Actor) -> list[ColumnElement[bool]]:
    areas, department = _areas(actor), _department(actor)
    parts = [_in_areas(_D.c.area_code, areas)] if areas else []
    if department:
        parts += [_D.c.owner_department == department, _D.c.om_department == department]
    return parts


def device_scope(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause over `sensing_devices` of the devices whose alarms the actor sees."""
    if sees_every_alarm(actor):
        return true()
    parts = _device_parts(actor)
    return or_(*parts) if parts else false()


def alarm_scope(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause over `sensing_alarms` of the actor's scope."""
    if sees_every_alarm(actor):
        return true()
    parts: list[ColumnElement[bool]] = []
    devices = _device_parts(actor)
    if devices:
        # correlated to the alarm only: a query that joins the devices keeps its own join
        device = exists().where(_D.c.id == _A.c.device_id, or_(*devices)).correlate(_A)
        parts.append(device)
    areas = _areas(actor)
    if areas:
        parts.append(and_(_A.c.device_id.is_(None), _in_areas(_A.c.area_code, areas)))
    return or_(*parts) if parts else false()


def scoped_alarm_ids(actor: Actor) -> Select[tuple[int]] | None:
    """The ids of the alarms in the actor's scope, as a subquery (the live event stream picks
    a batch's alarm frames with it); None when the actor sees every alarm."""
    if sees_every_alarm(actor):
        return None
    return select(_A.c.id).where(alarm_scope(actor))
