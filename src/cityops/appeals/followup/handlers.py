"""After commit: each `CaseEvaluated` (评价/回访) becomes one row of the follow-up read model,
with the case's department, place, urgency and times as they stand at the visit, and how the
rating came (the citizen on the portal, or a staff member's 回访) and who recorded it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from cityops.appeals.followup import store
from cityops.appeals.followup.channels import channel_of
from cityops.appeals.followup.rates import responded_within_limit
from cityops.cases.public import CaseEvaluated, CaseService
from cityops.infra.bus import EventBus
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import SYSTEM

SUBSCRIPTION = "followup.record"


class FollowupRecorder:
    def __init__(
        self, *, cases: CaseService, uows: Callable[[], AbstractContextManager[UnitOfWork]]
    ) -> None:
        self._cases = cases
        self._uows = uows

    def on_evaluated(self, event: CaseEvaluated) -> None:
        """Record the visit once (a redelivered event is ignored)."""
        with self._uows() as uow:
            if store.has_event(uow.session, event.event_id):
                return
            # a case is never deleted and its event was committed with it: if the read misses
            # it, NotFound fails this delivery and the relay tries again (never "delivered")
            view = self._cases.get_case(uow.session, SYSTEM, event.case_id)
            street = view.area.street
            district = view.area.district
            # 办结 as it stood at the visit: a 重办 by this very visit has cleared it on the case
            # (events stored before they carried it fall back to the case as it is now)
            handled_at = event.handled_at or view.handled_at
            store.insert_visit(
                uow.session,
                store.VisitRow(
                    case_id=view.id,
                    event_id=event.event_id,
                    visited_at=event.occurred_at,
                    # a satisfaction was given, so an unstated contact means the citizen answered
                    contacted=True if event.contacted is None else event.contacted,
                    resolved=event.resolved,
                    satisfaction=event.satisfaction or None,
                    department_code=view.department.code if view.department else None,
                    department_name=view.department.name if view.department else None,
                    district_code=district.code if district else None,
                    street_code=street.code if street else None,
                    street_name=street.name if street else None,
                    source=str(view.source),
                    urgency=str(view.urgency),
                    reported_at=view.reported_at,
                    handled_at=handled_at,
                    responded_within_limit=responded_within_limit(
                        str(view.urgency), view.reported_at, handled_at
                    ),
                    # the citizen on the portal, or a staff member's 回访 (who recorded it)
                    channel=channel_of(event.actor, event.actor_user_id).value,
                    recorded_by_user_id=event.actor_user_id,
                    recorded_by=event.actor,
                ),
            )


def subscribe(bus: EventBus, recorder: FollowupRecorder) -> None:
    bus.subscribe(CaseEvaluated, recorder.on_evaluated, name=SUBSCRIPTION)
