"""The in-process event bus: typed subscriptions by event class. Events reach it only through the
outbox relay, after the transaction that raised them has committed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from cityops.kernel.events import Event

E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]


@dataclass(frozen=True)
class Subscription:
    name: str  # stable, unique: used to remember which handler already saw an event
    event_name: str  # an Event class name, or "*" for every event
    handler: Handler


class EventBus:
    def __init__(self) -> None:
        self._subs: list[Subscription] = []

    def subscribe(
        self, event_type: type[E] | None, handler: Callable[[E], None], *, name: str
    ) -> None:
        """Register `handler` for `event_type` (None = every event). `name` must be unique."""
        if any(s.name == name for s in self._subs):
            raise ValueError(f"a subscription named {name!r} exists already")
        event_name = "*" if event_type is None else event_type.__name__
        self._subs.append(Subscription(name=name, event_name=event_name, handler=handler))

    def subscriptions_for(self, event_name: str) -> list[Subscription]:
        return [s for s in self._subs if s.event_name in (event_name, "*")]

    def publish_now(self, event: Event) -> None:
        """Call every handler at once (for events that need no durability, e.g. in tests)."""
        for sub in self.subscriptions_for(event.name):
            sub.handler(event)
