"""platform.notify: remember who wants news of a case, turn committed case events into
messages, record them in the outbox and hand them to the channel's sender."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from cityops.appeals.notify import policy, store
from cityops.appeals.notify.messages import (
    NOTIFIED_EVENTS,
    CaseFacts,
    message_for,
    without_code,
)
from cityops.appeals.notify.senders import NotificationSender, OutboxRecorder, Outgoing
from cityops.cases.public import (
    CaseEvent,
    CaseMerged,
    CaseService,
    CaseView,
    scoped_case_ids,
)
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import SYSTEM, Actor
from cityops.kernel.clock import Clock
from cityops.kernel.errors import NotFound, ValidationFailed
from cityops.kernel.events import Event, caused_by
from cityops.kernel.masking import mask_email, mask_phone
from cityops.org.public import OrgService

log = logging.getLogger(__name__)
MAX_PAGE = 200
# Events per write transaction: on SQLite a transaction holds the one write lock, so a relay
# pass of 200 events is written in short transactions that let intake in between. A failure
# after some chunks committed is safe: the relay retries event by event and recording is
# idempotent (one message per event, channel and recipient).
WRITE_CHUNK = 25


@dataclass(frozen=True)
class NotificationView:
    id: int
    case_id: int
    case_number: str
    event_name: str
    channel: str
    recipient: str  # masked
    message: str  # as sent, but the tracking code hidden (messages.without_code)
    status: str
    attempts: int
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    correlation_id: str | None = None  # the request the event's chain began with
    causation_id: str | None = None  # the event the message tells of


@dataclass(frozen=True)
class NotificationPage:
    items: list[NotificationView]
    total: int
    page: int
    size: int


def mask_address(channel: str, address: str) -> str:
    if channel == "email" and "@" in address:
        return mask_email(address)
    return mask_phone(address) or ""


def _facts_of(cases: CaseService, view: CaseView) -> CaseFacts:
    return CaseFacts(
        tracking_code=view.tracking_code,
        unit=view.department.name if view.department else None,
        expected_by=cases.expected_by(view),
    )


class NotifyService:
    def __init__(
        self,
        *,
        cases: CaseService,
        org: OrgService,
        clock: Clock,
        sessions: sessionmaker[Session],
        uows: Callable[[], AbstractContextManager[UnitOfWork]],
        senders: Iterable[NotificationSender] = (),
    ) -> None:
        self.cases = cases
        self.org = org
        self.clock = clock
        self._sessions = sessions
        self._uows = uows
        self.senders: dict[str, NotificationSender] = {
            "sms": OutboxRecorder("sms"),
            "email": OutboxRecorder("email"),
        }
        for sender in senders:
            self.senders[sender.channel] = sender

    # ---- called by intake, inside its transaction ------------------------------------------

    def add_recipient(self, session: Session, case_id: int, channel: str, address: str) -> None:
        """Who hears about `case_id` (the citizen's own contact, given at intake)."""
        store.add_recipient(
            session, case_id=case_id, channel=channel, address=address, at=self.clock.now()
        )

    def add_recipients(self, session: Session, items: Sequence[tuple[int, str, str]]) -> None:
        """(case_id, channel, address) of cases stored in this same transaction, written with
        one statement (Open311's group-committed intake)."""
        now = self.clock.now()
        store.insert_recipients(
            session,
            [
                {"case_id": case_id, "channel": channel, "address": address, "created_at": now}
                for case_id, channel, address in items
            ],
        )

    # ---- the bus handler (after commit, from the relay) ------------------------------------

    def on_events(self, events: Sequence[Event]) -> None:
        """Tell each case's recipients about its events: the citizen who reported it and those
        whose appeals were merged into it (each with their own tracking code). On CaseMerged,
        the merged case's recipients are also carried over to the case it was merged into.
        Who is told and what the case looks like are read at once for the whole batch (the
        relay hands over a pass) on a read session; the messages are then written with one
        statement per `WRITE_CHUNK` events, each chunk a short transaction."""
        notified = [e for e in events if isinstance(e, NOTIFIED_EVENTS)]
        if not notified:
            return
        with self._sessions() as session:
            wanted = store.recipients_of(session, {e.case_id for e in notified})
            facts: dict[int, CaseFacts | None] = {
                case_id: _facts_of(self.cases, view)
                for case_id, view in self.cases.get_cases(session, SYSTEM, list(wanted)).items()
            }
            session.rollback()
        if not wanted:
            return
        for start in range(0, len(notified), WRITE_CHUNK):
            chunk = notified[start : start + WRITE_CHUNK]
            if not any(wanted.get(e.case_id) for e in chunk):
                continue  # (a merge carries recipients only from a case that has some)
            with self._uows() as uow:
                outgoing: list[tuple[dict[str, object], Outgoing]] = []
                for event in chunk:
                    # asked now, not when read: a merge earlier in the pass may have given
                    # this case its first recipients
                    if not wanted.get(event.case_id):
                        continue
                    if event.case_id not in facts:
                        facts[event.case_id] = self._facts(uow.session, event.case_id)
                    known = facts[event.case_id]
                    if known is not None:
                        outgoing += self._tell(uow.session, event, known, wanted)
                ids = store.insert_notifications(uow.session, [row for row, _ in outgoing])
            for row_id, (_, message) in zip(ids, outgoing, strict=True):
                if row_id is not None:
                    self._deliver(row_id, message)

    def _facts(self, session: Session, case_id: int) -> CaseFacts | None:
        try:
            return _facts_of(self.cases, self.cases.get_case(session, SYSTEM, case_id))
        except NotFound:
            return None

    def _unit_of(self, session: Session, event: CaseEvent) -> str | None:
        """The unit an event names (派遣 to, 签收 or 办结 by), as it was then: the case may have
        gone to another unit before the relay reads it."""
        code = getattr(event, "department_code", None)
        if not code:
            return None
        try:
            return self.org.department_by_code(session, code).name
        except NotFound:
            return None

    def _tell(
        self,
        session: Session,
        event: CaseEvent,
        facts: CaseFacts,
        wanted: dict[int, list[store.Recipient]],
    ) -> list[tuple[dict[str, object], Outgoing]]:
        """The messages `event` gives its case's recipients (rows to store, and what to send);
        a merge also carries the recipients over to the case merged into."""
        out: list[tuple[dict[str, object], Outgoing]] = []
        now = self.clock.now()
        unit = self._unit_of(session, event) or facts.unit
        trace = caused_by(event)
        for who in list(wanted.get(event.case_id, ())):
            own = who.tracking_code or facts.tracking_code
            words = message_for(
                event,
                replace(facts, tracking_code=own, unit=unit),
                merged=who.tracking_code is not None,
            )
            if words is None:
                continue
            subject, text = words
            row = {
                "event_id": event.event_id,
                "event_name": event.name,
                "case_id": event.case_id,
                "case_number": event.case_number,
                "channel": who.channel,
                "recipient": who.address,
                "message": text,
                "status": "recorded",
                "created_at": now,
                "correlation_id": trace.correlation_id,
                "causation_id": trace.causation_id,
            }
            out.append((row, Outgoing(who.channel, who.address, subject, text)))
            if isinstance(event, CaseMerged):  # 合并办理: they hear the other case's steps
                store.add_recipient(
                    session,
                    case_id=event.into_case_id,
                    channel=who.channel,
                    address=who.address,
                    at=now,
                    tracking_code=own,
                )
                into = wanted.setdefault(event.into_case_id, [])
                if not any((r.channel, r.address) == (who.channel, who.address) for r in into):
                    into.append(store.Recipient(who.channel, who.address, own))
        return out

    def _deliver(self, row_id: int, message: Outgoing) -> None:
        sender = self.senders.get(message.channel)
        if sender is None or not sender.delivers:
            return
        status, error = "sent", None
        try:
            sender.send(message)
        except Exception as exc:  # a gateway failure is recorded, never raised into the relay
            log.warning("notification %s via %s failed: %r", row_id, message.channel, exc)
            status, error = "failed", repr(exc)[:1000]
        with self._uows() as uow:
            store.mark(uow.session, row_id, status=status, error=error, at=self.clock.now())

    # ---- the console -----------------------------------------------------------------------

    def list_notifications(
        self,
        session: Session,
        actor: Actor,
        *,
        case_id: int | None = None,
        status: str | None = None,
        page: int = 1,
        size: int = 50,
    ) -> NotificationPage:
        """The messages of the cases in the actor's scope, the same scope as the case list (an
        account bound to a street: that street's), newest first. With `case_id`, that case's:
        a case outside the scope is not found (404), as the case itself."""
        policy.check_list_notifications(actor)
        if page < 1 or not 1 <= size <= MAX_PAGE:
            raise ValidationFailed(
                f"page must be ≥ 1 and size between 1 and {MAX_PAGE}", code="bad_page"
            )
        if case_id is not None:
            self.cases.get_case(session, actor, case_id)  # NotFound outside the scope
        rows, total = store.page(
            session,
            case_id=case_id,
            case_ids=None if case_id is not None else scoped_case_ids(actor),
            status=status,
            offset=(page - 1) * size,
            limit=size,
        )
        items = [
            NotificationView(
                id=r["id"],
                case_id=r["case_id"],
                case_number=r["case_number"],
                event_name=r["event_name"],
                channel=r["channel"],
                recipient=mask_address(r["channel"], r["recipient"]),
                message=without_code(r["message"]),  # the code is the citizen's alone
                status=r["status"],
                attempts=r["attempts"],
                error=r["error"],
                created_at=r["created_at"],
                sent_at=r["sent_at"],
                correlation_id=r["correlation_id"],
                causation_id=r["causation_id"],
            )
            for r in rows
        ]
        return NotificationPage(items=items, total=total, page=page, size=size)
