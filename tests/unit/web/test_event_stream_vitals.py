"""Who the event stream sends a city vital-sign change (insight.vital_changed) to: the viewers of
the 城市体征 board — the same roles as insight's vitals rule (VITAL_VIEWERS from
insight.public, not a copy) — and an area-bound viewer only the changes of areas inside theirs;
no one else, not even other staff."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cityops.infra.outbox_tail import OutboxEntry
from cityops.insight.policy import may_view_vitals
from cityops.insight.public import VITAL_VIEWERS
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied
from cityops.web.event_stream import EventHub, Frame, Visible, audience_allows, frame_for

CITY, STREET, OTHER_STREET = "330191", "330191001", "330191002"
LEADER = Actor(user_id=1, username="boss", roles=frozenset({Role.leader}))
HANDLER = Actor(user_id=2, username="h", roles=frozenset({Role.handler}))
DISP_STREET = Actor(
    user_id=3, username="disp_x", roles=frozenset({Role.dispatcher}), area_codes=(STREET,)
)


def _vital(row_id: int, area: str) -> Frame:
    payload = {
        "indicator": "air_temperature_max",
        "area_code": area,
        "from_status": "normal",
        "to_status": "pending",
        "from_level": None,
        "to_level": "orange",
        "value": 38.0,
        "at": "2026-11-23T01:00:00+00:00",
    }
    frame = frame_for(OutboxEntry(row_id, "insight.vital_changed", payload))
    assert frame is not None
    return frame


def _viewer_by_policy(actor: Actor) -> bool:
    try:
        may_view_vitals(actor)
    except PermissionDenied:
        return False
    return True


@pytest.mark.parametrize("role", sorted(Role, key=str))
def test_each_role_gets_a_change_exactly_when_it_may_view_the_board(role: Role) -> None:
    actor = Actor(user_id=9, username="u", roles=frozenset({role}))
    allowed = audience_allows(actor, _vital(1, CITY), Visible())
    assert allowed is _viewer_by_policy(actor)
    assert allowed is (role in VITAL_VIEWERS)


def test_an_area_bound_viewer_gets_only_the_changes_inside_its_areas() -> None:
    frames = [
        _vital(1, CITY),
        _vital(2, STREET),
        _vital(3, STREET + "002"),  # a community inside the street
        _vital(4, OTHER_STREET),
        _vital(5, CITY + "0"),  # not inside the street, though it starts like the city
    ]
    assert [f.area_code for f in frames] == [
        CITY,
        STREET,
        STREET + "002",
        OTHER_STREET,
        CITY + "0",
    ]

    async def run() -> None:
        hub = EventHub(_Tail(), connect=None)  # type: ignore[arg-type]
        hub.start(asyncio.get_running_loop())
        leader = hub.subscribe(LEADER, ("insight.vital_",))
        handler = hub.subscribe(HANDLER, ("insight.vital_",))
        disp = hub.subscribe(DISP_STREET, ())
        hub._fan_out(frames, {}, 5)
        assert leader.queue.qsize() == 5  # a viewer of the whole city: every change
        assert handler.queue.empty()  # staff, but not a viewer of the board
        got = [disp.queue.get_nowait() for _ in range(disp.queue.qsize())]
        assert [g.split(b"\n", 1)[0] for g in got] == [b"id: 2", b"id: 3"]

    asyncio.run(run())


class _Tail:
    cursor = 0

    def listen(self, listener: Any) -> None:
        self.listener = listener

    def start(self) -> None: ...

    def stop(self) -> None: ...
