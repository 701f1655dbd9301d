"""The event stream's fan-out without a server: frames carry no personal data, topics and scopes
select, a slow subscriber is cut off with a last `reconnect` frame while the others get all."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from cityops.infra.outbox_tail import OutboxEntry
from cityops.kernel.actor import Actor, Role
from cityops.web import event_stream
from cityops.web.event_stream import (
    EventHub,
    Frame,
    Visible,
    frame_for,
    may_stream,
    topic_prefixes,
)

DISPATCHER = Actor(user_id=1, username="disp", roles=frozenset({Role.dispatcher}))
INSPECTOR = Actor(
    user_id=2, username="insp", roles=frozenset({Role.inspector}), area_codes=("330191001",)
)


def _case(row_id: int, case_id: int = 7, name: str = "case.reported") -> OutboxEntry:
    payload = {
        "case_id": case_id,
        "case_number": f"C{case_id}",
        "status": "reported",
        "area_code": "330191001001001",
        "reporter_phone": "13812345678",
        "reporter_name": "张三",
        "tracking_code": "ABCD1234",
        "source": "hotline",
    }
    return OutboxEntry(row_id, name, payload)


def test_a_case_frame_carries_ids_state_and_place_only() -> None:
    frame = frame_for(_case(41))
    assert frame is not None
    text = frame.data.decode()
    assert text.startswith("id: 41\nevent: case.reported\ndata: {")
    assert text.endswith("}\n\n")
    for secret in ("13812345678", "张三", "ABCD1234", "hotline"):
        assert secret not in text


def test_events_of_other_domains_are_not_streamed() -> None:
    assert frame_for(OutboxEntry(1, "org.user_created", {"username": "x"})) is None


def test_topic_words_are_prefixes() -> None:
    assert topic_prefixes("case, alarm,indicator") == (
        "case.",
        "sensing.alarm_",
        "insight.indicator",
    )
    assert topic_prefixes("case.dispatched") == ("case.dispatched",)
    assert topic_prefixes(None) == ()


@pytest.mark.parametrize(
    ("roles", "allowed"),
    [({Role.citizen}, False), ({Role.integration}, False), ({Role.handler}, True)],
)
def test_only_staff_may_stream(roles: set[Role], allowed: bool) -> None:
    assert may_stream(Actor(user_id=3, username="u", roles=frozenset(roles))) is allowed


class _Tail:
    cursor = 0

    def listen(self, listener: Any) -> None:
        self.listener = listener

    def start(self) -> None: ...

    def stop(self) -> None: ...


def _frames(ids: Sequence[int]) -> list[Frame]:
    return [f for f in (frame_for(_case(i, case_id=i)) for i in ids) if f is not None]


def test_a_slow_subscriber_is_cut_and_the_others_get_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(event_stream, "QUEUE_FRAMES", 8)

    async def run() -> None:
        hub = EventHub(_Tail(), connect=None)  # type: ignore[arg-type]
        hub.start(asyncio.get_running_loop())
        slow = hub.subscribe(DISPATCHER, ())
        fast = hub.subscribe(DISPATCHER, ())
        got: list[bytes] = []
        for start in range(1, 41, 4):
            hub._fan_out(_frames(range(start, start + 4)), {}, start + 3)
            while not fast.queue.empty():
                got.append(fast.queue.get_nowait())
        assert len(got) == 40
        assert not fast.cut
        assert slow.cut
        assert hub.cut_count == 1
        assert slow.queue.qsize() == 2
        assert slow.queue.get_nowait().startswith(b"event: reconnect\n")
        assert slow.queue.get_nowait() == event_stream.END
        assert hub.subscribers == 1  # the slow one gets nothing more

    asyncio.run(run())


def test_a_scoped_subscriber_gets_only_the_cases_found_in_its_scope() -> None:
    async def run() -> None:
        hub = EventHub(_Tail(), connect=None)  # type: ignore[arg-type]
        hub.start(asyncio.get_running_loop())
        insp = hub.subscribe(INSPECTOR, ("case.",))
        disp = hub.subscribe(DISPATCHER, ("case.",))
        hub._fan_out(_frames([1, 2, 3]), {INSPECTOR: Visible(frozenset({2}), frozenset())}, 3)
        assert disp.queue.qsize() == 3
        assert insp.queue.qsize() == 1
        assert b"id: 2\n" in insp.queue.get_nowait()
        hub._fan_out(_frames([4]), {}, 4)  # a batch without the inspector's visible set
        assert insp.queue.empty()

    asyncio.run(run())


def _alarm(row_id: int, alarm_id: int) -> Frame:
    payload = {"alarm_id": alarm_id, "kind": "rule", "severity": "major", "device_code": "AQ-1"}
    frame = frame_for(OutboxEntry(row_id, "sensing.alarm_raised", payload))
    assert frame is not None
    return frame


def test_a_scoped_subscriber_gets_only_the_alarms_found_in_its_scope() -> None:
    async def run() -> None:
        hub = EventHub(_Tail(), connect=None)  # type: ignore[arg-type]
        hub.start(asyncio.get_running_loop())
        insp = hub.subscribe(INSPECTOR, ("sensing.alarm_",))
        disp = hub.subscribe(DISPATCHER, ("sensing.alarm_",))
        frames = [_alarm(1, 11), _alarm(2, 12), _alarm(3, 13)]
        assert [f.alarm_id for f in frames] == [11, 12, 13]
        hub._fan_out(frames, {INSPECTOR: Visible(frozenset(), frozenset({12}))}, 3)
        assert disp.queue.qsize() == 3
        assert insp.queue.qsize() == 1
        assert b"id: 2\n" in insp.queue.get_nowait()
        hub._fan_out([_alarm(4, 14)], {}, 4)  # a batch without the inspector's visible set
        assert insp.queue.empty()

    asyncio.run(run())


def test_frames_already_replayed_are_not_sent_again() -> None:
    async def run() -> None:
        tail = _Tail()
        tail.cursor = 10
        hub = EventHub(tail, connect=None)  # type: ignore[arg-type]
        hub.start(asyncio.get_running_loop())
        sub = hub.subscribe(DISPATCHER, ())
        hub._fan_out(_frames([9, 10, 11]), {}, 11)
        assert [sub.queue.get_nowait()[:6] for _ in range(sub.queue.qsize())] == [b"id: 11"]

    asyncio.run(run())


def test_one_ticker_sends_keep_alives_and_ends_streams_whose_time_is_up() -> None:
    async def run() -> None:
        hub = EventHub(_Tail(), connect=None)  # type: ignore[arg-type]
        hub.keepalive_seconds = 0.05
        hub.start(asyncio.get_running_loop())
        short = hub.subscribe(DISPATCHER, (), max_seconds=0.01)
        long = hub.subscribe(DISPATCHER, ())
        await asyncio.sleep(0.2)
        assert short.queue.get_nowait() == event_stream.END
        assert hub.subscribers == 1
        assert long.queue.get_nowait() == event_stream.KEEPALIVE
        hub.stop()

    asyncio.run(run())
