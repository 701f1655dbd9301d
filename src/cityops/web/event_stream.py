"""Live events for the console's pages: what each connected tab is sent (docs/adr/0007).

One `EventHub` per server process. Its `OutboxTail` (infra/outbox_tail.py) reads the committed
outbox rows of every process and host; the hub turns each row into one ready-made SSE frame
(`frame_for`: a minimal payload, no personal data) and puts it in the bounded queue of every
subscriber who may see it. A subscriber whose queue is full is cut off with a last `reconnect`
event; its browser reconnects and resumes from the table (Last-Event-ID), so a slow tab costs
neither memory nor the others' latency.

Who sees what: staff only. Case events go to the roles that see the whole city, and to a scoped
actor only for the cases in their scope (`cases.public.scoped_case_ids`); alarm events go to
whoever may view alarms, and to a scoped actor only for the alarms in their scope
(`sensing.public.scoped_alarm_ids`: the alarm list's scope). Both are one query per batch and
distinct scoped actor, made in the tail's thread, never on the event loop. Vital-sign changes
(insight.vital_changed) go to the viewers of the 城市体征 board, and to an area-bound actor only
for the areas inside theirs. Other streamed domains go to staff."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select

from cityops.cases.public import scoped_case_ids
from cityops.infra.outbox_tail import OutboxEntry, OutboxTail
from cityops.insight.public import VITAL_VIEWERS
from cityops.kernel.actor import Actor, Role
from cityops.sensing.public import SENSING_VIEWERS, scoped_alarm_ids

STAFF_ROLES = frozenset(Role) - {Role.citizen, Role.integration}
QUEUE_FRAMES = 2048  # frames waiting for one subscriber before it is cut off (shared bytes)
RETRY_MS = 2000
KEEPALIVE_SECONDS = 15.0
KEEPALIVE = b": keep-alive\n\n"
END = b""  # put in a queue: the stream ends after what came before it
# topic words of ?topics= → wire-name prefixes (any other word is taken as a prefix itself)
TOPICS = {
    "case": "case.",
    "alarm": "sensing.alarm_",
    "sensing": "sensing.",
    "indicator": "insight.indicator",
    "rank": "insight.rank",
    "insight": "insight.",
}
# what a frame may carry, per streamed domain: identifiers, states and places — never a name,
# phone, address, text or tracking code
_FIELDS = {
    "case.": ("case_id", "case_number", "status", "area_code"),
    "sensing.": (
        "alarm_id",
        "kind",
        "severity",
        "level",
        "area_code",
        "device_code",
        "rule_code",
        "case_id",
    ),
    # city vital signs (城市体征): before "insight.", whose keys it does not share
    "insight.vital_": (
        "indicator",
        "area_code",
        "from_status",
        "to_status",
        "from_level",
        "to_level",
        "value",
        "at",
    ),
    "insight.": ("indicator_code", "area_code", "period", "value", "rank", "previous_rank"),
}
VITAL_PREFIX = "insight.vital_"
# who is sent vital-sign changes: the viewers of the 城市体征 board (VITAL_VIEWERS, insight's
# vitals rule), an area-bound one only for the areas inside theirs


@dataclass(frozen=True, slots=True)
class Frame:
    """One event as sent: its outbox id, wire name, the case or alarm it concerns and the SSE
    bytes."""

    id: int
    name: str
    case_id: int | None
    data: bytes
    alarm_id: int | None = None
    area_code: str | None = None  # of a vital-sign change: whose areas may see it


@dataclass(frozen=True, slots=True)
class Visible:
    """Of a batch's cases and alarms, those in one actor's scope (None: all of them)."""

    cases: frozenset[int] | None = None
    alarms: frozenset[int] | None = None


EVERYTHING = Visible()
NOTHING = Visible(frozenset(), frozenset())


def frame_for(entry: OutboxEntry) -> Frame | None:
    """The frame of a row, or None for an event the stream does not carry (org.*, …)."""
    for prefix, keys in _FIELDS.items():
        if entry.name.startswith(prefix):
            body: dict[str, Any] = {"type": entry.name, "id": entry.id}
            body.update({k: entry.payload[k] for k in keys if entry.payload.get(k) is not None})
            case_id = body.get("case_id") if prefix == "case." else None
            alarm_id = body.get("alarm_id") if prefix == "sensing." else None
            text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
            data = f"id: {entry.id}\nevent: {entry.name}\ndata: {text}\n\n".encode()
            area = body.get("area_code") if prefix == VITAL_PREFIX else None
            return Frame(
                entry.id,
                entry.name,
                int(case_id) if case_id else None,
                data,
                int(alarm_id) if alarm_id else None,
                str(area) if area is not None else None,
            )
    return None


def control(name: str, body: dict[str, Any], event_id: int | None = None) -> bytes:
    """A frame of the stream itself (`reset`, `reconnect`); with an id, it moves the browser's
    Last-Event-ID."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(body)}\n\n".encode()


def topic_prefixes(topics: str | None) -> tuple[str, ...]:
    """`case,alarm` → ("case.", "sensing.alarm_"); empty: everything streamed."""
    words = [w.strip() for w in (topics or "").split(",") if w.strip()]
    return tuple(TOPICS.get(w, w) for w in words)


def may_stream(actor: Actor) -> bool:
    return actor.has(*STAFF_ROLES)


def audience_allows(actor: Actor, frame: Frame, visible: Visible) -> bool:
    """Whether `actor` may be sent `frame`; `visible`: the frame's batch's cases and alarms in
    the actor's scope."""
    if frame.name.startswith("case."):
        return _among(frame.case_id, visible.cases)
    if frame.name.startswith("sensing."):
        return actor.has(*SENSING_VIEWERS) and _among(frame.alarm_id, visible.alarms)
    if frame.name.startswith(VITAL_PREFIX):
        return actor.has(*VITAL_VIEWERS) and _in_areas(actor, frame.area_code)
    return True


def _in_areas(actor: Actor, area_code: str | None) -> bool:
    """Whether an area lies inside the actor's areas (codes nest by prefix); an actor bound to
    no area sees the whole city."""
    if not actor.area_codes:
        return True
    return area_code is not None and area_code.startswith(tuple(actor.area_codes))


def _among(object_id: int | None, visible: frozenset[int] | None) -> bool:
    return visible is None or (object_id is not None and object_id in visible)


def visible_in(conn: Any, actor: Actor, frames: Iterable[Frame]) -> Visible:
    """Of the frames' cases and alarms, those in the actor's scope: a query for each kind
    whose scope is narrower than the city and that the frames name."""
    case_ids, alarm_ids = set(), set()
    for frame in frames:
        if frame.case_id is not None:
            case_ids.add(frame.case_id)
        if frame.alarm_id is not None:
            alarm_ids.add(frame.alarm_id)
    return Visible(
        _in_scope(conn, scoped_case_ids(actor), case_ids),
        _in_scope(conn, scoped_alarm_ids(actor), alarm_ids),
    )


def _in_scope(conn: Any, scope: Select[tuple[int]] | None, ids: set[int]) -> frozenset[int] | None:
    """Of `ids`, those `scope` (a select of ids) holds (None: all, without a query)."""
    if scope is None:
        return None
    if not ids:
        return frozenset()
    sub = scope.subquery()
    rows = conn.execute(select(sub.c.id).where(sub.c.id.in_(sorted(ids))))
    return frozenset(int(r[0]) for r in rows)


@dataclass(eq=False)
class Subscriber:
    actor: Actor
    prefixes: tuple[str, ...]
    queue: asyncio.Queue[bytes] = field(default_factory=lambda: asyncio.Queue(QUEUE_FRAMES))
    floor: int = 0  # frames up to this id were replayed already
    scoped: bool = False  # the actor's case or alarm scope is narrower than the city
    ends_at: float = float("inf")  # loop time when the stream ends (max_seconds)
    cut: bool = False  # the queue overflowed: the last frame says reconnect

    def wants(self, frame: Frame) -> bool:
        return frame.id > self.floor and (not self.prefixes or frame.name.startswith(self.prefixes))


class EventHub:
    """The process's fan-out (see the module docstring)."""

    def __init__(self, tail: OutboxTail, connect: Any) -> None:
        self._tail = tail
        self._connect = connect  # () -> a read connection's context manager (engine.connect)
        self._subs: set[Subscriber] = set()
        self._scoped: dict[Actor, int] = {}  # scoped actors among the subscribers, with counts
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.upto = 0  # the newest id fanned out (or the tail's start)
        self.cut_count = 0
        self.keepalive_seconds = KEEPALIVE_SECONDS
        self._ticker: asyncio.Task[None] | None = None
        tail.listen(self._on_rows)

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start the tail (blocking: call it in a thread) for the subscribers of `loop`."""
        if self._loop is None:
            self._loop = loop
            self._tail.start()
            self.upto = self._tail.cursor

    def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        self._tail.stop()

    def subscribe(
        self, actor: Actor, prefixes: tuple[str, ...], max_seconds: float = float("inf")
    ) -> Subscriber:
        """On the loop: from now on, frames after `self.upto` reach the subscriber, until
        `max_seconds` have passed."""
        loop = asyncio.get_running_loop()
        sub = Subscriber(actor, prefixes, floor=self.upto, scoped=visible_needs_query(actor))
        sub.ends_at = loop.time() + max_seconds
        self._subs.add(sub)
        if self._ticker is None:
            self._ticker = loop.create_task(self._tick())
        if sub.scoped:
            with self._lock:
                self._scoped[actor] = self._scoped.get(actor, 0) + 1
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        if sub not in self._subs:
            return
        self._subs.discard(sub)
        if sub.scoped:
            with self._lock:
                left = self._scoped.get(sub.actor, 0) - 1
                if left > 0:
                    self._scoped[sub.actor] = left
                else:
                    self._scoped.pop(sub.actor, None)

    def _on_rows(self, rows: Sequence[OutboxEntry]) -> None:
        """In the tail's thread: frames, and each scoped subscriber's visible cases and alarms."""
        frames = [f for f in (frame_for(r) for r in rows) if f is not None]
        last = rows[-1].id
        named = [f for f in frames if f.case_id is not None or f.alarm_id is not None]
        with self._lock:
            scoped = list(self._scoped)
        visible: dict[Actor, Visible] = {}
        if named and scoped:
            with self._connect() as conn:
                for actor in scoped:
                    visible[actor] = visible_in(conn, actor, named)
                conn.rollback()
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._fan_out, frames, visible, last)

    def _fan_out(self, frames: list[Frame], visible: dict[Actor, Visible], last: int) -> None:
        """On the loop: each frame into each subscriber's queue that may and wants it."""
        self.upto = max(self.upto, last)
        for sub in list(self._subs):
            seen = visible.get(sub.actor, NOTHING) if sub.scoped else EVERYTHING
            for frame in frames:
                if not sub.wants(frame) or not audience_allows(sub.actor, frame, seen):
                    continue
                try:
                    sub.queue.put_nowait(frame.data)
                except asyncio.QueueFull:
                    self._cut(sub)
                    break

    async def _tick(self) -> None:
        """One timer for every subscriber (none per stream): a keep-alive comment into each
        queue every `keepalive_seconds`, and END into the queues of streams whose time is up."""
        loop = asyncio.get_running_loop()
        next_keepalive = loop.time() + self.keepalive_seconds
        while True:
            await asyncio.sleep(min(1.0, self.keepalive_seconds))
            now = loop.time()
            keepalive = now >= next_keepalive
            if keepalive:
                next_keepalive = now + self.keepalive_seconds
            for sub in list(self._subs):
                if now >= sub.ends_at:
                    self.unsubscribe(sub)
                    _offer(sub, END)
                elif keepalive:
                    _offer(sub, KEEPALIVE)

    def _cut(self, sub: Subscriber) -> None:
        """A subscriber too slow to keep up: empty its queue and leave it one last frame."""
        self.unsubscribe(sub)
        self.cut_count += 1
        while not sub.queue.empty():
            sub.queue.get_nowait()
        sub.cut = True
        sub.queue.put_nowait(control("reconnect", {"reason": "too_slow"}))
        sub.queue.put_nowait(END)


def _offer(sub: Subscriber, data: bytes) -> None:
    """Into the queue if there is room: a full queue is a stream about to be cut anyway."""
    with contextlib.suppress(asyncio.QueueFull):
        sub.queue.put_nowait(data)


def visible_needs_query(actor: Actor) -> bool:
    """Whether the actor's case or alarm scope is narrower than the city (`scoped_case_ids`
    and `scoped_alarm_ids` say None for the whole city: building a statement runs no query)."""
    return scoped_case_ids(actor) is not None or scoped_alarm_ids(actor) is not None
