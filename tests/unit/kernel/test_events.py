from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass
from datetime import UTC, datetime

import pytest

from cityops.kernel.events import Event, event_from_payload
from cityops.kernel.masking import mask_name, mask_phone


@dataclass(frozen=True, kw_only=True)
class SampleRaised(Event, wire="test.sample_raised"):
    level: int
    tags: tuple[str, ...] = ()


def test_event_round_trips_through_its_payload() -> None:
    e = SampleRaised(occurred_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC), level=3, tags=("a",))
    back = event_from_payload("test.sample_raised", e.payload(), 1)
    assert back == e
    with pytest.raises(FrozenInstanceError):
        e.level = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("057187654321", "057*****4321"),
        ("12345", "*****"),
        (None, None),
    ],
)
def test_mask_phone(phone: str | None, masked: str | None) -> None:
    assert mask_phone(phone) == masked


def test_mask_name() -> None:
    assert mask_name("张三丰") == "张**"
