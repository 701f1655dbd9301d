"""The Event base: frozen, past-tense records with identity and causality."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from cityops.kernel.clock import as_utc
from cityops.kernel.ids import new_event_id

_REGISTRY: dict[str, type[Event]] = {}


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every domain event. Subclasses are frozen dataclasses named NounPastVerb."""

    name: ClassVar[str] = "Event"
    occurred_at: datetime
    actor: str = "system"
    actor_role: str = "system"
    event_id: str = field(default_factory=new_event_id)
    correlation_id: str = ""
    causation_id: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = cls.__name__
        _REGISTRY[cls.__name__] = cls

    def payload(self) -> dict[str, Any]:
        """JSON-ready dict of every field (datetimes as ISO strings)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, datetime) else value
        return out


def event_from_payload(name: str, payload: dict[str, Any]) -> Event:
    """Rebuild an event from its stored name and payload (the outbox relay uses this)."""
    cls = _REGISTRY.get(name)
    if cls is None:
        raise KeyError(f"unknown event type {name!r}")
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in payload:
            continue
        value = payload[f.name]
        if f.type in ("datetime", "datetime | None") and isinstance(value, str):
            value = as_utc(datetime.fromisoformat(value))
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def registered_events() -> dict[str, type[Event]]:
    return dict(_REGISTRY)
