"""Alarm → case (告警转案件) and back.

- `AlarmRaised` (after commit, through the relay): the alarm's case is opened at once when its
  rule opens cases without a delay, or the alarm is a device fault; a scheduled pass
  (`open_due`) opens those whose delay has run out while they are still active.
- A case is created with source `sensor` in the rule's category at the device's point (a group
  alarm: its first member's), its description carrying the alarm's link, values and the last
  readings of the rule's metrics; a maintenance case is registered and dispatched to the device's
  O&M unit at once. The alarm records the case (`link_case`) in the same transaction, so an
  alarm opens at most one case however often the event is delivered.
- Case events: each case's status is copied onto its alarms; `CaseClosed` marks them handled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

from sqlalchemy.orm import Session

from cityops.cases.public import (
    ActionCommand,
    CaseAction,
    CaseCancelled,
    CaseClosed,
    CaseDispatched,
    CaseEvent,
    CaseHandled,
    CaseRegistered,
    CaseReopened,
    CaseReturned,
    CaseReworked,
    CaseService,
    CaseSigned,
    CaseSource,
    CaseSuspended,
    NewCase,
)
from cityops.infra.bus import EventBus
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import DomainError
from cityops.kernel.events import caused_by, tracing
from cityops.sensing.public import AlarmRaised, AlarmService, CaseKind, CaseTicket

log = logging.getLogger(__name__)

Reads = Callable[[], AbstractContextManager[Session]]
Uows = Callable[[], AbstractContextManager[UnitOfWork]]

# the responsibility list's leaf for device repairs (default_taxonomy.yaml: 感知设备运维)
MAINTENANCE_CATEGORY = "C010801"
# the bridge files and dispatches in the case history under its own name, never as a person
BRIDGE = Actor(
    user_id=None,
    username="alarm_bridge",
    roles=frozenset({Role.operator, Role.dispatcher}),
    display_name="物联告警",
)
# the case events whose status an alarm shows
STATUS_EVENTS: tuple[type[CaseEvent], ...] = (
    CaseRegistered,
    CaseDispatched,
    CaseSigned,
    CaseReturned,
    CaseSuspended,
    CaseHandled,
    CaseReworked,
    CaseReopened,
    CaseCancelled,
)


class _AlreadyLinked(Exception):
    """Another delivery opened the alarm's case first: this one is undone."""


class AlarmCaseBridge:
    def __init__(
        self,
        *,
        alarms: AlarmService,
        cases: CaseService,
        reads: Reads,
        uows: Uows,
        maintenance_category: str = MAINTENANCE_CATEGORY,
    ) -> None:
        self._alarms = alarms
        self._cases = cases
        self._reads = reads
        self._uows = uows
        self._maintenance = maintenance_category

    def on_raised(self, events: Sequence[AlarmRaised]) -> None:
        """New alarms (a relay pass): open the cases due now."""
        traces = {e.alarm_id: caused_by(e) for e in events}
        with self._reads() as session:
            tickets = self._alarms.case_tickets(
                session, maintenance_category=self._maintenance, only=sorted(traces)
            )
        for ticket in tickets:
            with tracing(traces[ticket.alarm.id]):
                self._open(ticket)

    def open_due(self) -> list[int]:
        """The scheduled pass: open the cases of active alarms whose delay has run out; the
        ids of the cases opened."""
        with self._reads() as session:
            tickets = self._alarms.case_tickets(session, maintenance_category=self._maintenance)
        opened = [self._open(t) for t in tickets]
        return [case_id for case_id in opened if case_id is not None]

    def _open(self, ticket: CaseTicket) -> int | None:
        decision, alarm = ticket.decision, ticket.alarm
        assert decision.category_code is not None
        try:
            with self._uows() as uow:
                view = self._cases.create_case(
                    uow,
                    BRIDGE,
                    NewCase(
                        source=CaseSource.sensor,
                        title=ticket.title,
                        description=ticket.description,
                        category_code=decision.category_code,
                        lon=ticket.lon,
                        lat=ticket.lat,
                        area_code=None if ticket.lon is not None else (alarm.area_code or None),
                    ),
                )
                if decision.kind is CaseKind.maintenance:
                    view = self._cases.act(
                        uow, BRIDGE, view.id, CaseAction.register, ActionCommand(view.version)
                    )
                    view = self._cases.act(
                        uow,
                        BRIDGE,
                        view.id,
                        CaseAction.dispatch,
                        ActionCommand(view.version, department_code=decision.unit_code),
                    )
                if not self._alarms.link_case(uow, alarm.id, view.id, view.status.value):
                    raise _AlreadyLinked
                return view.id
        except _AlreadyLinked:
            return None
        except DomainError as exc:  # a category or unit the list refuses: logged, retried
            log.warning("alarm %s: its case was not opened (%s): %s", alarm.id, exc.code, exc)
            return None

    def on_case_events(self, events: Sequence[CaseEvent]) -> None:
        """Show each case's status on the alarms that opened it (a closed case: handled)."""
        statuses = {e.case_id: e.status for e in events if e.status}
        if statuses:
            with self._uows() as uow:
                self._alarms.case_statuses(uow, statuses)


def subscribe(bus: EventBus, bridge: AlarmCaseBridge) -> None:
    bus.subscribe_batch(AlarmRaised, bridge.on_raised, name="alarm_cases.open")
    bus.subscribe_batch(CaseClosed, bridge.on_case_events, name="alarm_cases.closed")
    for kind in STATUS_EVENTS:
        bus.subscribe_batch(
            kind, bridge.on_case_events, name=f"alarm_cases.status.{kind.wire_name}"
        )
