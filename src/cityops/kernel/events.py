"""The Event base: frozen, past-tense records with identity and causality.

Every concrete event declares its wire name and version in its class header
(`class CaseDispatched(CaseEvent, wire="case.dispatched", version=1)`): that pair, not the class
name, is what the outbox stores and webhooks send, so a class can be renamed without orphaning
events not yet delivered. A base that is never raised itself says `abstract=True`.

Causality travels in a context variable, the current `Trace`: the web edge sets it for a request
(its request id), the outbox relay for each handler call (the event being handled), and an event
built while a trace is current carries its `correlation_id` and `causation_id`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from cityops.kernel.clock import as_utc
from cityops.kernel.ids import new_event_id

WIRE_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

_BY_WIRE: dict[tuple[str, int], type[Event]] = {}
_BY_CLASS: dict[str, type[Event]] = {}  # class names, for rows written before wire names


@dataclass(frozen=True)
class Trace:
    """What the work being done now belongs to: the chain it is part of (`correlation_id`, a
    request's id) and what directly caused it (`causation_id`: the request, or an event)."""

    correlation_id: str = ""
    causation_id: str = ""


NO_TRACE = Trace()
_TRACE: ContextVar[Trace] = ContextVar("cityops_trace", default=NO_TRACE)


def current_trace() -> Trace:
    return _TRACE.get()


@contextmanager
def tracing(trace: Trace) -> Iterator[Trace]:
    """Make `trace` current for the block (events built in it carry its ids)."""
    token = _TRACE.set(trace)
    try:
        yield trace
    finally:
        _TRACE.reset(token)


def request_trace(request_id: str) -> Trace:
    """The trace of work a request does itself: it is both the chain and the cause."""
    return Trace(correlation_id=request_id, causation_id=request_id)


def caused_by(event: Event) -> Trace:
    """The trace of work done because of `event`: its chain, caused by it. An event raised
    outside any request or handler starts a chain of its own."""
    return Trace(correlation_id=event.correlation_id or event.event_id, causation_id=event.event_id)


def _current_correlation() -> str:
    return _TRACE.get().correlation_id


def _current_causation() -> str:
    return _TRACE.get().causation_id


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every domain event. Subclasses are frozen dataclasses named NounPastVerb."""

    name: ClassVar[str] = "Event"  # the class name: the in-process bus and logs use it
    wire_name: ClassVar[str] = ""  # stable: the outbox and webhooks use it
    wire_version: ClassVar[int] = 0
    occurred_at: datetime
    actor: str = "system"
    actor_role: str = "system"
    event_id: str = field(default_factory=new_event_id)
    correlation_id: str = field(default_factory=_current_correlation)
    causation_id: str = field(default_factory=_current_causation)

    def __init_subclass__(
        cls,
        *,
        wire: str | None = None,
        version: int = 1,
        abstract: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = cls.__name__
        if abstract:
            if wire is not None:
                raise TypeError(f"{cls.__name__} is abstract: it takes no wire name")
            cls.wire_name, cls.wire_version = "", 0
            return
        _register(cls, wire, version)

    def payload(self) -> dict[str, Any]:
        """JSON-ready dict of every field (datetimes as ISO strings)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, datetime) else value
        return out


def _register(cls: type[Event], wire: str | None, version: int) -> None:
    if wire is None:
        raise TypeError(
            f"event {cls.__name__} has no wire name: declare it as "
            f'class {cls.__name__}(..., wire="domain.thing_happened", version=1), '
            "or abstract=True for a base"
        )
    if not WIRE_NAME.match(wire):
        raise TypeError(f"wire name {wire!r} of {cls.__name__} is not lower.dotted.words")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise TypeError(f"version of {cls.__name__} must be a positive int, not {version!r}")
    taken = _BY_WIRE.get((wire, version))
    if taken is not None:
        raise TypeError(f"{cls.__name__}: {wire} v{version} is {taken.__qualname__}'s already")
    named = _BY_CLASS.get(cls.__name__)
    if named is not None:
        raise TypeError(f"an event class named {cls.__name__} exists already ({named.__module__})")
    cls.wire_name, cls.wire_version = wire, version
    _BY_WIRE[(wire, version)] = cls
    _BY_CLASS[cls.__name__] = cls


def event_type(name: str, version: int | None = None) -> type[Event]:
    """The class of a stored event: by wire name and version, or by the class name rows written
    before wire names carry. KeyError if none is registered."""
    cls = _BY_WIRE.get((name, version or 1))
    if cls is None and (version or 1) == 1 and not WIRE_NAME.match(name):
        cls = _BY_CLASS.get(name)  # such rows are version 1: the outbox's default
    if cls is None:
        shown = f"{name!r} v{version}" if version else repr(name)
        raise KeyError(f"unknown event type {shown}")
    return cls


def event_from_payload(name: str, payload: dict[str, Any], version: int | None = None) -> Event:
    """Rebuild an event from its stored name (and version) and payload (the relay uses this)."""
    cls = event_type(name, version)
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
    """Every concrete event class, by class name."""
    return dict(_BY_CLASS)


def wire_events() -> dict[tuple[str, int], type[Event]]:
    """Every concrete event class, by (wire name, version)."""
    return dict(_BY_WIRE)
