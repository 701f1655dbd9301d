"""The in-process event bus: typed subscriptions by event class. Events reach it only through the
outbox relay, after the transaction that raised them has committed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from cityops.kernel.events import Event

E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]
BatchHandler = Callable[[Sequence[Any]], None]


@dataclass(frozen=True)
class Subscription:
    name: str  # stable, unique: used to remember which handler already saw an event
    event_name: str  # an Event class name, or "*" for every event
    handler: Handler
    # Optional: takes the events of one relay pass at once (in outbox order), so a handler
    # that reads and writes the database pays one transaction per pass, not one per event.
    batch: BatchHandler | None = None


class EventBus:
    def __init__(self) -> None:
        self._subs: list[Subscription] = []

    def subscribe(
        self, event_type: type[E] | None, handler: Callable[[E], None], *, name: str
    ) -> None:
        """Register `handler` for `event_type` (None = every event). `name` must be unique."""
        self._add(Subscription(name, _event_name(event_type), handler))

    def subscribe_batch(
        self, event_type: type[E] | None, handler: Callable[[Sequence[E]], None], *, name: str
    ) -> None:
        """Like `subscribe`, for a handler that takes a list of events. The relay hands it the
        events of a pass together; should it fail, the relay retries them one at a time so one
        bad event cannot hold back the others."""
        self._add(
            Subscription(
                name, _event_name(event_type), lambda event: handler([event]), batch=handler
            )
        )

    def _add(self, sub: Subscription) -> None:
        if any(s.name == sub.name for s in self._subs):
            raise ValueError(f"a subscription named {sub.name!r} exists already")
        self._subs.append(sub)

    def subscriptions_for(self, event_name: str) -> list[Subscription]:
        """The subscriptions for an Event class name (the bus lives in one process, where class
        names are consistent; what is stored names events by wire name)."""
        return [s for s in self._subs if s.event_name in (event_name, "*")]


def _event_name(event_type: type[Event] | None) -> str:
    return "*" if event_type is None else event_type.__name__
