"""Events are stored and sent under a declared wire name and version, never their class name:
the registry refuses an event without one, a malformed one and a second class for one name and
version, and finds rows written under a class name before wire names existed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

import cityops.cases.events
import cityops.org.events
from cityops.kernel.events import (
    Event,
    event_from_payload,
    event_type,
    registered_events,
    wire_events,
)

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
DOMAIN_EVENT_MODULES = (cityops.cases.events, cityops.org.events)


@dataclass(frozen=True, kw_only=True)
class LampReplaced(Event, wire="test.lamp_replaced", version=1):
    lamp: str


@dataclass(frozen=True, kw_only=True)
class LampReplacedTwice(Event, wire="test.lamp_replaced", version=2):
    lamp: str
    by: str


def _concrete(cls: type[Event]) -> list[type[Event]]:
    found = []
    for sub in cls.__subclasses__():
        if sub.wire_name:
            found.append(sub)
        found.extend(_concrete(sub))
    return found


def test_the_wire_name_and_version_are_declared_in_the_class_header() -> None:
    assert (LampReplaced.wire_name, LampReplaced.wire_version) == ("test.lamp_replaced", 1)
    assert LampReplaced.name == "LampReplaced"
    assert (cityops.cases.events.CaseDispatched.wire_name, 1) == ("case.dispatched", 1)


def test_a_stored_event_is_found_by_wire_name_and_version() -> None:
    assert event_type("test.lamp_replaced", 1) is LampReplaced
    assert event_type("test.lamp_replaced", 2) is LampReplacedTwice
    assert event_type("test.lamp_replaced") is LampReplaced  # a row without a version: 1
    e = LampReplacedTwice(occurred_at=AT, lamp="L-7", by="w1")
    assert event_from_payload("test.lamp_replaced", e.payload(), 2) == e


def test_a_row_written_under_its_class_name_still_loads() -> None:
    e = LampReplaced(occurred_at=AT, lamp="L-7")
    assert event_from_payload("LampReplaced", e.payload()) == e
    with pytest.raises(KeyError):  # a class name has no versions
        event_type("LampReplaced", 2)


@pytest.mark.parametrize(
    ("name", "version"), [("test.lamp_replaced", 3), ("test.no_such_thing", 1), ("Nothing", None)]
)
def test_an_unknown_wire_name_or_version_is_a_key_error(name: str, version: int | None) -> None:
    with pytest.raises(KeyError, match="unknown event type"):
        event_type(name, version)


def test_an_event_without_a_wire_name_is_refused() -> None:
    with pytest.raises(TypeError, match="has no wire name"):

        @dataclass(frozen=True, kw_only=True)
        class LampBroke(Event):
            lamp: str

    assert "LampBroke" not in registered_events()


def test_a_second_class_for_one_wire_name_and_version_is_refused() -> None:
    with pytest.raises(TypeError, match=r"test.lamp_replaced v1 is LampReplaced's already"):

        @dataclass(frozen=True, kw_only=True)
        class LampSwapped(Event, wire="test.lamp_replaced", version=1):
            lamp: str

    assert event_type("test.lamp_replaced", 1) is LampReplaced
    assert "LampSwapped" not in registered_events()


@pytest.mark.parametrize(
    ("wire", "version", "message"),
    [
        ("LampFixed", 1, "not lower.dotted.words"),
        ("lamp_fixed", 1, "not lower.dotted.words"),
        ("test.lamp fixed", 1, "not lower.dotted.words"),
        ("test.lamp_fixed", 0, "positive int"),
        ("test.lamp_fixed", True, "positive int"),
    ],
)
def test_a_malformed_wire_name_or_version_is_refused(wire: str, version: int, message: str) -> None:
    with pytest.raises(TypeError, match=message):

        @dataclass(frozen=True, kw_only=True)
        class LampFixed(Event, wire=wire, version=version):
            lamp: str

    assert "LampFixed" not in registered_events()


def test_an_abstract_base_takes_no_wire_name() -> None:
    assert cityops.cases.events.CaseEvent.wire_name == ""
    assert "CaseEvent" not in registered_events()
    with pytest.raises(TypeError, match="abstract"):

        @dataclass(frozen=True, kw_only=True)
        class StreetEvent(Event, wire="test.street", abstract=True):
            street: str


def test_every_domain_event_has_its_own_wire_name_and_version() -> None:
    domain = [cls for cls in _concrete(Event) if cls.__module__.startswith("cityops.")]
    assert len(domain) >= 29  # the case and org events at least
    keys = [(cls.wire_name, cls.wire_version) for cls in domain]
    assert len(set(keys)) == len(keys)
    assert all(wire_events()[key] is cls for key, cls in zip(keys, domain, strict=True))
    for module in DOMAIN_EVENT_MODULES:
        prefix = module.__name__.split(".")[1].rstrip("s")  # cases → case, org → org
        declared = [c for c in domain if c.__module__ == module.__name__]
        assert declared
        assert all(c.wire_name.startswith(f"{prefix}.") for c in declared)
